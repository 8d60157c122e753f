// Converts component text to binary with jco's parse() (wasm-tools), many
// texts per node process.  Usage: node jco_parse.mjs <jco api.js> <in.json> <out.json>
// in.json: ["(component ...)", ...]; out.json: [{"ok":true,"hex":"..."} | {"ok":false,"error":"..."}]
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [apiPath, inPath, outPath] = process.argv.slice(2);
const { parse } = await import(pathToFileURL(apiPath).href);
const texts = JSON.parse(readFileSync(inPath, 'utf8'));
const out = [];
for (const t of texts) {
  try {
    const bytes = await parse(t);
    out.push({ ok: true, hex: Buffer.from(bytes).toString('hex') });
  } catch (e) {
    out.push({ ok: false, error: String(e && e.message ? e.message : e).slice(0, 500) });
  }
}
writeFileSync(outPath, JSON.stringify(out));
