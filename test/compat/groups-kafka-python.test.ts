// kafka-python KafkaConsumer(group_id=...) consumer groups: each member a separate /usr/bin/python3 process.

import { groupSuite, pythonCommitted, spawnPythonMember } from "./groups-harness.js";

groupSuite({
  name: "kafka-python",
  tag: "kp",
  spawnMember: (options) => spawnPythonMember("kp-member", options),
  committed: (bootstrap, group, topic) => pythonCommitted("kp-committed", bootstrap, group, topic),
});
