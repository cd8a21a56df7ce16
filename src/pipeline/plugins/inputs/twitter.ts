// The twitter input, declared for config compatibility only: every option of Logstash's plugin is checked, so
// configs pass `sluice validate` and `-t`; running it is refused (Sluice cannot reach Twitter's streaming API).

import type { InputSpec } from "../api.js";
import { UnavailableInput } from "../support/unavailable.js";

export const twitterUnrunnable =
  "the twitter input needs Twitter's streaming API, which Sluice cannot reach: declared for config compatibility only (validate/-t pass), not runnable";

export const twitterInput: InputSpec = {
  kind: "input",
  name: "twitter",
  doc: "Reads tweets from Twitter's streaming API. Declared for config compatibility only: configs validate, but Sluice refuses to run it.",
  defaultCodec: "plain",
  options: {
    consumer_key: { type: "string", required: true, doc: "Twitter application consumer key." },
    consumer_secret: { type: "password", required: true, doc: "Twitter application consumer secret." },
    oauth_token: { type: "string", required: true, doc: "OAuth access token." },
    oauth_token_secret: { type: "password", required: true, doc: "OAuth access token secret." },
    keywords: { type: "array", doc: "Words to track." },
    full_tweet: { type: "boolean", default: false, doc: "Keep the whole tweet object." },
    follows: { type: "array", doc: "User ids whose tweets to follow." },
    locations: { type: "string", doc: "Bounding boxes of tweets to read (lon,lat pairs)." },
    languages: { type: "array", doc: "Languages of tweets to read." },
    use_samples: { type: "boolean", default: false, doc: "Read the public sample stream." },
    ignore_retweets: { type: "boolean", default: false, doc: "Skip retweets." },
    use_proxy: { type: "boolean", default: false, doc: "Connect through an HTTP proxy." },
    proxy_address: { type: "string", default: "127.0.0.1", doc: "Proxy host." },
    proxy_port: { type: "number", default: 3128, doc: "Proxy port." },
    rate_limit_reset_in: {
      type: "number",
      default: 300,
      doc: "Seconds to wait when rate-limited and Twitter gives no reset time.",
    },
    target: { type: "field_reference", doc: "Field to put the tweet under (default: the event's root)." },
  },
  create: () => new UnavailableInput(twitterUnrunnable),
};
