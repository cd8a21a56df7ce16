// confluent-kafka (Python, librdkafka) producer and manually assigned consumer against the broker.

import { pythonClientSuite } from "../helpers/python-suite.js";

pythonClientSuite({ name: "confluent-kafka (Python)", prefix: "ck", offsetPastEnd: -1 });
