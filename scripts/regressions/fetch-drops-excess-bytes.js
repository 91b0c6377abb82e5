// Regression: fetch() drops bytes beyond a response's Content-Length and keeps the connection pooled (as http.Agent did with bytes on an idle socket before 22.23.0).
// undici's sockets (net.connect called from node:internal/deps/undici) get a filter in front of
// undici's parser: it frames each response by its Content-Length (none for HEAD, 1xx, 204, 304) and
// discards whatever arrives while no request written on the socket is waiting for a response.
// A response it cannot frame (chunked, read-to-close, 101) switches the filter off for that socket.
const net = require('node:net');
const realConnect = net.connect;
net.connect = function connect(...args) {
  const socket = realConnect.apply(this, args);
  if (/node:internal\/deps\/undici/.test(new Error().stack ?? '')) dropExcessBytes(socket);
  return socket;
};

function dropExcessBytes(socket) {
  const waiting = []; // methods of the requests written and not yet answered
  let head = ''; // the response head read so far (latin1)
  let body = -1; // body bytes still to come; -1 while reading a head
  let off = false;

  const write = socket.write;
  socket.write = function (chunk, ...rest) {
    const text = typeof chunk === 'string' ? chunk.slice(0, 64) : Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 64) : '';
    const line = /^([A-Z]+) \S+ HTTP\/1\.1\r\n/.exec(text);
    if (line) waiting.push(line[1]);
    return write.call(this, chunk, ...rest);
  };

  const push = socket.push;
  socket.push = function (chunk, encoding) {
    if (off || !Buffer.isBuffer(chunk)) return push.call(this, chunk, encoding);
    const kept = [];
    let i = 0;
    while (i < chunk.length && !off) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - i);
        kept.push(chunk.subarray(i, i + n));
        i += n;
        body -= n;
        if (body === 0) (body = -1), waiting.shift();
        continue;
      }
      if (waiting.length === 0) break; // no request is waiting: the rest is excess, dropped
      const rest = chunk.toString('latin1', i);
      const end = (head + rest).indexOf('\r\n\r\n');
      if (end < 0) {
        head += rest;
        kept.push(chunk.subarray(i));
        break;
      }
      const taken = end + 4 - head.length;
      kept.push(chunk.subarray(i, i + taken));
      i += taken;
      const full = head + rest.slice(0, taken);
      head = '';
      const status = Number(full.split(' ')[1]);
      if (status === 101) off = true;
      else if (status >= 100 && status < 200) continue;
      else if (waiting[0] === 'HEAD' || status === 204 || status === 304) waiting.shift();
      else {
        const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(full);
        if (!length || /\r\ntransfer-encoding:/i.test(full)) off = true;
        else if ((body = Number(length[1])) === 0) (body = -1), waiting.shift();
      }
    }
    if (off && i < chunk.length) kept.push(chunk.subarray(i));
    if (kept.length === 0) return true;
    return push.call(this, kept.length === 1 ? kept[0] : Buffer.concat(kept), encoding);
  };
}
