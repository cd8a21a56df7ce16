// kafka-python producer and KafkaConsumer with assign() (no group) against the broker.

import { pythonClientSuite } from "../helpers/python-suite.js";

pythonClientSuite({ name: "kafka-python", prefix: "kp", offsetPastEnd: null });
