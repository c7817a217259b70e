/**
 * Input the reviewer cannot read: a missing, empty, UTF-16 or wrapped file, JSON that is not a plan, a bad
 * command line. The message is one line that says what the input is and what to do; the CLI prints it on
 * stderr and exits 1, never with a stack trace.
 */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}
