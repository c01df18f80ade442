metadata description = 'KQL shared by the alerts and the workbook: how the app\'s structured log lines are found and parsed. The contract is stated in docs/deploy.md ("Log contract").'

// A structured line is a trace whose message is (or ends with) one JSON object carrying "event";
// the same events may also arrive as customEvents named after the event.
@export()
var jitEventsPrelude = '''
let jitEvents = union isfuzzy=true
    (traces
        | where message contains '"event":"'
        | extend payload = parse_json(substring(message, indexof(message, '{')))),
    (customEvents
        | extend payload = bag_merge(todynamic(customDimensions), bag_pack('event', name)))
    | extend event = tostring(payload.event)
    | where isnotempty(event)
    | extend requestId = tostring(payload.requestId), tenantId = tostring(payload.tenantId), targetId = tostring(payload.targetId);
'''
