// A new user's session through the official TypeScript MCP SDK (default 60 s request timeout),
// against seedance-mcp in sandbox mode at realistic render speed (SEEDANCE_SANDBOX_SPEED=1.0).
// Not part of pytest (it needs Node and npm). Run it by hand from the repository root:
//   d=$(mktemp -d) && cp tests/clients/ts_newcomer.mjs "$d" && cd "$d" && \
//   npm install @modelcontextprotocol/sdk@1 && SEEDANCE_MCP=$(which seedance-mcp) node ts_newcomer.mjs
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import fs from "node:fs";

const t0 = Date.now();
const el = () => ((Date.now() - t0) / 1000).toFixed(1) + "s";
const transport = new StdioClientTransport({
  command: process.env.SEEDANCE_MCP ?? "seedance-mcp",
  env: { PATH: process.env.PATH, SEEDANCE_HOME: `${process.cwd()}/home`, SEEDANCE_OUTPUT_DIR: `${process.cwd()}/videos`,
         SEEDANCE_SANDBOX_SPEED: "1.0" },
  stderr: "ignore",
});
const client = new Client({ name: "ts-newcomer", version: "1.0.0" });
await client.connect(transport);
const tools = await client.listTools();
console.log(el(), "tools:", tools.tools.map(t => t.name).join(", "));
let r = await client.callTool({ name: "estimate_credits", arguments: { provider: "nanophoto", resolution: "720p", duration: 8, audio: true } });
console.log(el(), "estimate:", JSON.stringify(r.structuredContent).slice(0, 200));
r = await client.callTool({ name: "write_cinematic_prompt", arguments: { idea: "a lighthouse keeper climbs the stairs during a storm" } });
console.log(el(), "prompt:", r.structuredContent?.draft?.prompt?.slice(0, 120) ?? JSON.stringify(r.structuredContent).slice(0, 200));
r = await client.callTool({ name: "generate_video", arguments: { prompt: "A lighthouse in a storm, slow dolly in", duration: 99 } });
console.log(el(), "duration 99 -> isError:", r.isError, "|", r.content[0].text.slice(0, 300));
let progress = 0;
const start = Date.now();
r = await client.callTool(
  { name: "generate_video", arguments: { prompt: "A lighthouse in a storm, slow dolly in", duration: 8, audio: true } },
  undefined,
  { onprogress: (p) => { progress++; console.log("   progress", el(), JSON.stringify(p).slice(0, 160)); } },
);
const job = r.structuredContent;
console.log(el(), `generate returned after ${((Date.now() - start) / 1000).toFixed(1)}s: status`, job.status, "job", job.job_id, "progress notes:", progress);
let done = job;
while (done.status !== "succeeded" && done.status !== "failed") {
  r = await client.callTool({ name: "check_status", arguments: { job_id: job.job_id, wait_seconds: 45 } }, undefined,
    { onprogress: (p) => { progress++; } });
  done = r.structuredContent; // the same job shape generate_video returned
  console.log(el(), "check_status:", done.message.split("\n").pop(), done.video_path ?? "");
}
r = await client.callTool({ name: "list_jobs", arguments: { limit: 5 } });
console.log(el(), "list_jobs:", r.structuredContent.jobs.length, "job(s);", r.structuredContent.message.split("\n")[0]);
r = await client.callTool({ name: "generate_video", arguments: { prompt: "A lighthouse", resolutoin: "4k" } });
console.log(el(), "misspelt argument -> isError:", r.isError, "|", r.content[0].text.slice(0, 200));
console.log(el(), "file exists:", fs.existsSync(done.video_path), fs.statSync(done.video_path).size, "bytes; progress notes total:", progress);
await client.close();
