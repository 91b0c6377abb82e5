// Regression: http.globalAgent goes back to keepAlive: false (Node 18's default).
const http = require('node:http');
http.globalAgent = new http.Agent({ keepAlive: false });
