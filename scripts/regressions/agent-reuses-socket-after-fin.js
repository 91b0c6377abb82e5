// Regression: the agent hands a free socket to the next request without checking for a FIN (or data) already waiting on it.
// Since: >=22.23.5 <23 || >=24.22.1 <25 || >=26.12.1 (AGENT_REUSES_SOCKET_AFTER_FIN.no: elsewhere the agent never checked)
// The check is TCP.prototype.hasPendingRead() (lib/_http_agent.js hasPendingRead); process.binding's deprecation warning is kept quiet.
const emitWarning = process.emitWarning;
process.emitWarning = () => undefined;
const { TCP } = process.binding('tcp_wrap');
process.emitWarning = emitWarning;
if (typeof TCP.prototype.hasPendingRead === 'function') TCP.prototype.hasPendingRead = () => false;
