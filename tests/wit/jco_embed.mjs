// Reference encoder for encode_test.cpp: runs jco's `component embed`
// (wit-component) for a list of jobs in one node process.
//   node jco_embed.mjs <jco wasm-tools.js> <jobs.json>
// jobs.json: [{ "wit": path, "world": spec, "features": [..], "out": path }]
import { readFileSync, writeFileSync } from 'node:fs';
const [, , toolsPath, jobsPath] = process.argv;
const { componentEmbed } = await import(toolsPath);
const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
const jobs = JSON.parse(readFileSync(jobsPath, 'utf8'));
for (const job of jobs) {
  try {
    const features = job.features && job.features.length ? { tag: 'list', val: job.features } : undefined;
    const out = await componentEmbed({ binary: empty, witPath: job.wit, world: job.world, features });
    writeFileSync(job.out, out);
  } catch (e) {
    writeFileSync(job.out + '.err', String(e && e.message ? e.message : e));
  }
}
