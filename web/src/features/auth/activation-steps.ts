/**
 * The first login's steps: code, password (ActivationPage), then the charter (the charter gate) and an optional
 * e-mail (EmailStep). Apart from ActivationPage, so that the e-mail step does not pull the activation page (a
 * route chunk of its own) into the first load.
 */
export const STEP_COUNT = 4;
