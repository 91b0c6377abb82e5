// Regression: http.globalAgent goes back to keepAlive: false (Node 18's default).
// Since: 19.0.0 (GLOBAL_AGENT_KEEPS_ALIVE.no: before it, this is the default)
const http = require('node:http');
http.globalAgent = new http.Agent({ keepAlive: false });
