// Regression: http.globalAgent goes back to keepAlive: false (Node 18's default).
// Since: Node 19 (on 18 this is the default)
const http = require('node:http');
http.globalAgent = new http.Agent({ keepAlive: false });
