import nodemailer from 'nodemailer';
import type { Config } from './config.ts';

/** One mail as Préau sends it: plain text, one recipient (no list of addresses ever leaks between people). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The outgoing mail server, or `null` when none is configured (`SMTP_URL` unset): mails are then kept in the
 * database for the local outbox page. No business rule here: what to send, to whom and when is the timeline's.
 */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): MailTransport | null {
  if (!config.smtpUrl) return null;
  // Options ride on the URL (`?pool=true` keeps connections open for a digest run's hundreds of mails).
  const transporter = nodemailer.createTransport(config.smtpUrl, { from: config.mailFrom });
  return {
    async send(mail) {
      await transporter.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    },
    close() {
      transporter.close();
    },
  };
}
