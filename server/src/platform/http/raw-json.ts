import fastJson from 'fast-json-stringify';
import type { z } from 'zod';
import { RawJson, toJsonSchema } from './serializer.ts';

export { RawJson };

/**
 * Puts an answer together from JSON text (encoded here) and JSON bytes kept from earlier requests (copied), into one
 * buffer. The caller writes valid JSON; in tests the route's contract check parses and validates what it wrote.
 */
export class JsonWriter {
  private buf: Buffer;
  private at = 0;
  private text = '';

  /** `size`: the bytes expected (it grows past them). */
  constructor(size = 16_384) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** JSON text, written as is (`,`, `[`, an object serialised for this request…). */
  raw(text: string): this {
    this.text += text;
    return this;
  }

  /** A string, number, boolean or null, through JSON.stringify. */
  value(v: string | number | boolean | null): this {
    this.text += JSON.stringify(v);
    return this;
  }

  /** JSON kept as UTF-8 bytes. */
  bytes(b: Buffer): this {
    this.flush();
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
    return this;
  }

  done<T>(): RawJson<T> {
    this.flush();
    return new RawJson<T>(this.buf.subarray(0, this.at));
  }

  private flush() {
    if (!this.text) return;
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    this.room(this.text.length * 3);
    this.at += this.buf.write(this.text, this.at, 'utf8');
    this.text = '';
  }

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

/** A compiled serializer of a contract's (sub-)schema, as the routes' (fast-json-stringify, unknown keys dropped). */
export function jsonOf<S extends z.ZodType>(schema: S): (value: z.output<S>) => string {
  return fastJson(toJsonSchema(schema)) as (value: z.output<S>) => string;
}

/**
 * The same for an object schema, without its closing brace: the caller appends more members (`,"key":…`) and the
 * `}`. An object with no member gives `{` alone: `member` writes the next key with or without its comma.
 */
export function openObjectOf<S extends z.ZodObject>(schema: S): (value: z.output<S>) => string {
  const whole = jsonOf(schema);
  return (value) => whole(value).slice(0, -1);
}

/** The members of an object (`"a":1,"b":2`, without braces; '' for none): to write with members from elsewhere. */
export function membersOf<S extends z.ZodObject>(schema: S): (value: z.output<S>) => string {
  const whole = jsonOf(schema);
  return (value) => whole(value).slice(1, -1);
}

/** `,"key":` or `"key":` after an open object from `openObjectOf` (`{` alone: no member yet). */
export const member = (open: string, key: string) => (open.length === 1 ? `"${key}":` : `,"${key}":`);
