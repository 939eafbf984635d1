/** An error the stand-in answers with, in the wire shape of the service that raised it. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Set on throttling and injected server errors: decided before any state changed. */
  readonly injected: boolean;

  constructor(code: string, message: string, status = 400, injected = false) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.injected = injected;
  }
}

export function awsError(code: string, message: string, status = 400): AwsError {
  return new AwsError(code, message, status);
}

export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}
