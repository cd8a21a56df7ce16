// Types for ua-parser-js 1.x (MIT), which ships none: the part of its result the useragent filter reads.

declare module "ua-parser-js" {
  interface UAPart {
    name?: string;
    version?: string;
    major?: string;
    model?: string;
    vendor?: string;
    type?: string;
  }
  export interface IResult {
    ua: string;
    browser: UAPart;
    engine: UAPart;
    os: UAPart;
    device: UAPart;
    cpu: { architecture?: string };
  }
  export default class UAParser {
    constructor(ua?: string);
    setUA(ua: string): this;
    getResult(): IResult;
  }
}
