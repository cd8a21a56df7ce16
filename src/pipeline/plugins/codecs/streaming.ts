// Logstash's fix_streaming_codecs: inputs that read a byte stream (stdin, tcp) swap `plain` for `line` and
// `json` for `json_lines`, keeping only the charset. Codecs offer their streaming form through this method.

import type { Logger } from "../../../common/logger.js";
import type { Codec } from "../api.js";

/** A codec with a line-oriented form for byte-stream inputs. */
export interface StreamingSwitchable {
  /** Logstash's name of the codec used instead, for the log line. */
  readonly streamingName: string;
  streamingCodec(): Codec;
}

function isSwitchable(codec: Codec): codec is Codec & StreamingSwitchable {
  return typeof (codec as Partial<StreamingSwitchable>).streamingCodec === "function";
}

/** The codec a stream input should use: the streaming form when the codec has one, else the codec itself. */
export function streamingCodecFor(codec: Codec, logger: Logger, pluginId: string): Codec {
  if (!isSwitchable(codec)) return codec;
  logger.info(`automatically switching to the ${codec.streamingName} codec`, { plugin: pluginId });
  return codec.streamingCodec();
}
