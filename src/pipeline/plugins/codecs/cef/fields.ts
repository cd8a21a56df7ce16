// The CEF dictionary (logstash-codec-cef 6.x): each extension field's full name, its short key, and where it goes
// in ECS mode; a fact table, with the few rules that shape it (device custom fields 1..15, observer vs host).

export interface CefField {
  /** The full CEF name (used as the field name with ecs_compatibility => disabled). */
  readonly name: string;
  /** The short CEF key (`src`); the name itself when CEF defines none. */
  readonly key: string;
  /** The ECS field reference used in v1/v8 mode. */
  readonly ecsField: string;
  /** An older name still accepted (decoded as given without ECS). */
  readonly legacy?: string;
  /** When several names share an ECS field, the highest priority is the one encoding writes. */
  readonly priority: number;
  /** A time value that ECS mode parses into a timestamp. */
  readonly timestamp: boolean;
}

interface Extra {
  key?: string;
  legacy?: string;
  priority?: number;
  timestamp?: boolean;
}

function field(name: string, ecsField: string, extra: Extra = {}): CefField {
  return {
    name,
    key: extra.key ?? name,
    ecsField,
    legacy: extra.legacy,
    priority: extra.priority ?? 0,
    timestamp: extra.timestamp ?? false,
  };
}

/** deviceCustomFloatingPoint1..15, deviceCustomIPv6Address1..15, deviceCustomNumber1..15, deviceCustomString1..15. */
function customFields(): CefField[] {
  const kinds = [
    ["FloatingPoint", "cfp", "floating_point"],
    ["IPv6Address", "c6a", "ipv6_address"],
    ["Number", "cn", "number"],
    ["String", "cs", "string"],
  ] as const;
  const fields: CefField[] = [];
  for (let index = 1; index <= 15; index++) {
    for (const [long, short, ecs] of kinds) {
      const base = `[cef][device_custom_${ecs}_${index}]`;
      fields.push(field(`deviceCustom${long}${index}`, `${base}[value]`, { key: `${short}${index}` }));
      fields.push(
        field(`deviceCustom${long}${index}Label`, `${base}[label]`, { key: `${short}${index}Label` }),
      );
    }
  }
  return fields;
}

/** The whole dictionary for a `device` setting ("observer" or "host"). */
export function cefFields(device: string): CefField[] {
  return [
    field("agentAddress", "[agent][ip]", { key: "agt" }),
    field("agentDnsDomain", "[cef][agent][registered_domain]", { priority: 10 }),
    field("agentHostName", "[agent][name]", { key: "ahost" }),
    field("agentId", "[agent][id]", { key: "aid" }),
    field("agentMacAddress", "[agent][mac]", { key: "amac" }),
    field("agentNtDomain", "[cef][agent][registered_domain]"),
    field("agentReceiptTime", "[event][created]", { key: "art", timestamp: true }),
    field("agentTimeZone", "[cef][agent][timezone]", { key: "atz" }),
    field("agentTranslatedAddress", "[cef][agent][nat][ip]"),
    field("agentTranslatedZoneExternalID", "[cef][agent][translated_zone][external_id]"),
    field("agentTranslatedZoneURI", "[cef][agent][translated_zone][uri]"),
    field("agentType", "[agent][type]", { key: "at" }),
    field("agentVersion", "[agent][version]", { key: "av" }),
    field("agentZoneExternalID", "[cef][agent][zone][external_id]"),
    field("agentZoneURI", "[cef][agent][zone][uri]"),
    field("applicationProtocol", "[network][protocol]", { key: "app" }),
    field("baseEventCount", "[cef][base_event_count]", { key: "cnt" }),
    field("bytesIn", "[source][bytes]", { key: "in" }),
    field("bytesOut", "[destination][bytes]", { key: "out" }),
    field("categoryDeviceType", "[cef][device_type]", { key: "catdt" }),
    field("customerExternalID", "[organization][id]"),
    field("customerURI", "[organization][name]"),
    field("destinationAddress", "[destination][ip]", { key: "dst" }),
    field("destinationDnsDomain", "[destination][registered_domain]", { priority: 10 }),
    field("destinationGeoLatitude", "[destination][geo][location][lat]", {
      key: "dlat",
      legacy: "destinationLatitude",
    }),
    field("destinationGeoLongitude", "[destination][geo][location][lon]", {
      key: "dlong",
      legacy: "destinationLongitude",
    }),
    field("destinationHostName", "[destination][domain]", { key: "dhost" }),
    field("destinationMacAddress", "[destination][mac]", { key: "dmac" }),
    field("destinationNtDomain", "[destination][registered_domain]", { key: "dntdom" }),
    field("destinationPort", "[destination][port]", { key: "dpt" }),
    field("destinationProcessId", "[destination][process][pid]", { key: "dpid" }),
    field("destinationProcessName", "[destination][process][name]", { key: "dproc" }),
    field("destinationServiceName", "[destination][service][name]"),
    field("destinationTranslatedAddress", "[destination][nat][ip]"),
    field("destinationTranslatedPort", "[destination][nat][port]"),
    field("destinationTranslatedZoneExternalID", "[cef][destination][translated_zone][external_id]"),
    field("destinationTranslatedZoneURI", "[cef][destination][translated_zone][uri]"),
    field("destinationUserId", "[destination][user][id]", { key: "duid" }),
    field("destinationUserName", "[destination][user][name]", { key: "duser" }),
    field("destinationUserPrivileges", "[destination][user][group][name]", { key: "dpriv" }),
    field("destinationZoneExternalID", "[cef][destination][zone][external_id]"),
    field("destinationZoneURI", "[cef][destination][zone][uri]"),
    field("deviceAction", "[event][action]", { key: "act" }),
    field("deviceAddress", `[${device}][ip]`, { key: "dvc" }),
    ...customFields(),
    field("deviceDirection", "[network][direction]"),
    field("deviceDnsDomain", `[${device}][registered_domain]`, { priority: 10 }),
    field("deviceEventCategory", "[cef][category]", { key: "cat" }),
    field("deviceExternalId", device === "host" ? "[host][id]" : "[observer][name]"),
    field("deviceFacility", "[log][syslog][facility][code]"),
    field("deviceHostName", device === "host" ? "[host][name]" : "[observer][hostname]", { key: "dvchost" }),
    field("deviceInboundInterface", "[observer][ingress][interface][name]"),
    field("deviceMacAddress", `[${device}][mac]`, { key: "dvcmac" }),
    field("deviceNtDomain", "[cef][nt_domain]"),
    field("deviceOutboundInterface", "[observer][egress][interface][name]"),
    field("devicePayloadId", "[cef][payload_id]"),
    field("deviceProcessId", "[process][pid]", { key: "dvcpid" }),
    field("deviceProcessName", "[process][name]"),
    field("deviceReceiptTime", "@timestamp", { key: "rt", timestamp: true }),
    field("deviceTimeZone", "[event][timezone]", { key: "dtz", legacy: "destinationTimeZone" }),
    field("deviceTranslatedAddress", "[host][nat][ip]"),
    field("deviceTranslatedZoneExternalID", "[cef][translated_zone][external_id]"),
    field("deviceTranslatedZoneURI", "[cef][translated_zone][uri]"),
    field("deviceVersion", "[observer][version]"),
    field("deviceZoneExternalID", "[cef][zone][external_id]"),
    field("deviceZoneURI", "[cef][zone][uri]"),
    field("endTime", "[event][end]", { key: "end", timestamp: true }),
    field("eventId", "[event][id]"),
    field("eventOutcome", "[event][outcome]", { key: "outcome" }),
    field("externalId", "[cef][external_id]"),
    field("fileCreateTime", "[file][created]"),
    field("fileHash", "[file][hash]"),
    field("fileId", "[file][inode]"),
    field("fileModificationTime", "[file][mtime]", { timestamp: true }),
    field("fileName", "[file][name]", { key: "fname" }),
    field("filePath", "[file][path]"),
    field("filePermission", "[file][group]"),
    field("fileSize", "[file][size]", { key: "fsize" }),
    field("fileType", "[file][extension]"),
    field("managerReceiptTime", "[event][ingested]", { key: "mrt", timestamp: true }),
    field("message", "[message]", { key: "msg" }),
    field("oldFileCreateTime", "[cef][old_file][created]", { timestamp: true }),
    field("oldFileHash", "[cef][old_file][hash]"),
    field("oldFileId", "[cef][old_file][inode]"),
    field("oldFileModificationTime", "[cef][old_file][mtime]", { timestamp: true }),
    field("oldFileName", "[cef][old_file][name]"),
    field("oldFilePath", "[cef][old_file][path]"),
    field("oldFilePermission", "[cef][old_file][group]"),
    field("oldFileSize", "[cef][old_file][size]"),
    field("oldFileType", "[cef][old_file][extension]"),
    field("rawEvent", "[event][original]"),
    field("Reason", "[event][reason]", { key: "reason" }),
    field("requestClientApplication", "[user_agent][original]"),
    field("requestContext", "[http][request][referrer]"),
    field("requestCookies", "[cef][request][cookies]"),
    field("requestMethod", "[http][request][method]"),
    field("requestUrl", "[url][original]", { key: "request" }),
    field("sourceAddress", "[source][ip]", { key: "src" }),
    field("sourceDnsDomain", "[source][registered_domain]", { priority: 10 }),
    field("sourceGeoLatitude", "[source][geo][location][lat]", { key: "slat", legacy: "sourceLatitude" }),
    field("sourceGeoLongitude", "[source][geo][location][lon]", { key: "slong", legacy: "sourceLongitude" }),
    field("sourceHostName", "[source][domain]", { key: "shost" }),
    field("sourceMacAddress", "[source][mac]", { key: "smac" }),
    field("sourceNtDomain", "[source][registered_domain]", { key: "sntdom" }),
    field("sourcePort", "[source][port]", { key: "spt" }),
    field("sourceProcessId", "[source][process][pid]", { key: "spid" }),
    field("sourceProcessName", "[source][process][name]", { key: "sproc" }),
    field("sourceServiceName", "[source][service][name]"),
    field("sourceTranslatedAddress", "[source][nat][ip]"),
    field("sourceTranslatedPort", "[source][nat][port]"),
    field("sourceTranslatedZoneExternalID", "[cef][source][translated_zone][external_id]"),
    field("sourceTranslatedZoneURI", "[cef][source][translated_zone][uri]"),
    field("sourceUserId", "[source][user][id]", { key: "suid" }),
    field("sourceUserName", "[source][user][name]", { key: "suser" }),
    field("sourceUserPrivileges", "[source][user][group][name]", { key: "spriv" }),
    field("sourceZoneExternalID", "[cef][source][zone][external_id]"),
    field("sourceZoneURI", "[cef][source][zone][uri]"),
    field("startTime", "[event][start]", { key: "start", timestamp: true }),
    field("transportProtocol", "[network][transport]", { key: "proto" }),
    field("type", "[cef][type]"),
  ];
}
