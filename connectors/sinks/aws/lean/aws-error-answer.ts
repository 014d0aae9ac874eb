/**
 * An error answer of an AWS service read on the lean transport (an XML or a JSON one), shaped as
 * the SDK throws it: classifyAwsError reads `Code` and the status.
 */
export class AwsErrorAnswer extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}
