/**
 * A plain SVG bar chart of the bench: one panel per protocol; in each, a
 * group per (RTT, N) with the measured time with and without keep-alive, and
 * a dashed tick at the model's time.
 */
import type { Row } from './index';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(rows: Row[]): string {
  const groups = [...new Set(rows.map((r) => `${r.rtt}|${r.n}`))].map((k) => k.split('|').map(Number) as [number, number]);
  const protocols = ['http', 'https'] as const;
  const W = Math.max(720, 80 + groups.length * 70);
  const panelH = 260;
  const H = 80 + protocols.length * (panelH + 75);
  const max = Math.max(...rows.map((r) => Math.max(r.medianMs, r.modelMs)), 1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">Page load time with and without keep-alive (6 connections per host)</text>`,
    `<text x="20" y="42">TCP handshake modelled by the latency proxy (1 RTT per new connection); TLS handshakes real. Dashed: RTT model.</text>`,
    `<rect x="${W - 250}" y="52" width="12" height="12" fill="#2b7bba"/><text x="${W - 233}" y="62">keep-alive</text>`,
    `<rect x="${W - 160}" y="52" width="12" height="12" fill="#e4572e"/><text x="${W - 143}" y="62">Connection: close</text>`,
  ];
  protocols.forEach((protocol, p) => {
    const top = 95 + p * (panelH + 75);
    const y = (ms: number) => top + panelH - (ms / max) * panelH;
    out.push(`<text x="20" y="${top - 18}" font-size="13" font-weight="bold">${protocol.toUpperCase()}</text>`);
    out.push(`<line x1="60" y1="${top + panelH}" x2="${W - 20}" y2="${top + panelH}" stroke="#333"/>`);
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      const ms = Math.round(max * tick);
      out.push(`<text x="55" y="${y(ms) + 4}" text-anchor="end">${ms} ms</text>`);
      out.push(`<line x1="60" y1="${y(ms)}" x2="${W - 20}" y2="${y(ms)}" stroke="#ddd"/>`);
    }
    groups.forEach(([rtt, n], g) => {
      const x0 = 70 + g * 70;
      for (const [i, keepAlive] of [true, false].entries()) {
        const row = rows.find((r) => r.protocol === protocol && r.rtt === rtt && r.n === n && r.keepAlive === keepAlive);
        if (!row) continue;
        const x = x0 + i * 24;
        out.push(`<rect x="${x}" y="${y(row.medianMs)}" width="22" height="${top + panelH - y(row.medianMs)}" fill="${keepAlive ? '#2b7bba' : '#e4572e'}"><title>${escape(`${protocol} ${keepAlive ? 'keep-alive' : 'close'} RTT ${rtt} N ${n}: ${row.medianMs.toFixed(0)} ms (model ${row.modelMs})`)}</title></rect>`);
        out.push(`<line x1="${x - 2}" y1="${y(row.modelMs)}" x2="${x + 24}" y2="${y(row.modelMs)}" stroke="#000" stroke-dasharray="3,2"/>`);
      }
      out.push(`<text x="${x0 + 23}" y="${top + panelH + 14}" text-anchor="middle">RTT ${rtt}</text>`);
      out.push(`<text x="${x0 + 23}" y="${top + panelH + 27}" text-anchor="middle">N ${n}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
