/**
 * Self time of V8 .cpuprofiles (node --cpu-prof), summed by package, node internals or our folder.
 * A process with worker threads (the connector's delivery threads) writes one profile per thread:
 * summing them all is the process's CPU.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  owner: string;
  ms: number;
  share: number;
}

/** Who a frame belongs to: node_modules/<package>, node internals, V8 pseudo-frames, or our top folder. */
export function ownerOf(frame: ProfileNode["callFrame"], root: string): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native/V8)";
  if (url.startsWith("node:")) return "node internals";
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = file.slice(modules + "/node_modules/".length).split("/");
    return `node_modules/${parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (file.startsWith(root)) {
    const parts = file.slice(root.length).replace(/^\//, "").split("/");
    // The connector runs compiled code: dist/connectors/... is our connectors/ folder.
    const rest = parts[0] === "dist" ? parts.slice(1) : parts;
    return `ours: ${rest[0]}/${rest[0] === "src" && rest.length > 2 ? `${rest[1]}/` : ""}`;
  }
  return "other";
}

export function summariseProfiles(
  files: readonly string[],
  root: string,
): { totalMs: number; threads: number; top: ProfileShare[] } {
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const owners = new Map<number, string>();
    for (const node of profile.nodes) owners.set(node.id, ownerOf(node.callFrame, root));
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const owner = owners.get(id) ?? "other";
      // Idle time is the event loop waiting, not CPU spent.
      if (owner === "(idle)") return;
      total += us;
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    });
  }
  const top = [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([owner, us]) => ({
      owner,
      ms: Math.round(us / 1000),
      share: Number((us / Math.max(total, 1)).toFixed(3)),
    }));
  return { totalMs: Math.round(total / 1000), threads: files.length, top };
}
