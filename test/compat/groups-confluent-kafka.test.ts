// confluent-kafka (librdkafka via Python) consumer groups: each member a separate /usr/bin/python3 process.

import { groupSuite, pythonCommitted, spawnPythonMember } from "./groups-harness.js";

groupSuite({
  name: "confluent-kafka",
  tag: "ck",
  spawnMember: (options) => spawnPythonMember("ck-member", options),
  committed: (bootstrap, group, topic) => pythonCommitted("ck-committed", bootstrap, group, topic),
});
