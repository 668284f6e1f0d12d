/** An SESv2 error: its type is what the SDK turns into an exception class (NotFoundException, ...). */
export class SesError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new SesError(400, 'BadRequestException', message);
export const notFound = (message: string) => new SesError(404, 'NotFoundException', message);
