import { newProject, newToken, startTestApi, type TestApi } from "../../support/api";

const body = {
  type: "sns",
  topic_arn: "arn:aws:sns:us-east-1:123456789012:orders",
  role_arn: "arn:aws:iam::123456789012:role/event-streamer",
};

type Who = "none" | "wrong" | "malformed" | "own" | "other" | "admin";
type Action = "list" | "get" | "create" | "update" | "delete";

/** Whether each caller may do each action on project A's streams. */
const allowed: Record<Who, boolean> = {
  none: false,
  wrong: false,
  malformed: false,
  own: true,
  other: false,
  admin: true,
};
const expectedStatus: Record<Who, number> = {
  none: 401,
  wrong: 401,
  malformed: 401,
  own: 0,
  other: 403,
  admin: 0,
};
const successStatus: Record<Action, number> = { list: 200, get: 200, create: 201, update: 200, delete: 204 };

describe("authorization matrix", () => {
  const projectA = newProject();
  const projectB = newProject();
  const tokenA = newToken();
  const tokenB = newToken();
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ projectTokens: { [projectA]: tokenA, [projectB]: tokenB } });
  });

  afterAll(async () => {
    await api?.close();
  });

  const headerFor = (who: Who): Record<string, string> | undefined =>
    ({
      none: undefined,
      wrong: { authorization: `Bearer ${newToken()}` },
      malformed: { authorization: `Basic ${Buffer.from(`x:${api.adminToken}`).toString("base64")}` },
      own: { authorization: `Bearer ${tokenA}` },
      other: { authorization: `Bearer ${tokenB}` },
      admin: { authorization: `Bearer ${api.adminToken}` },
    })[who];

  async function snapshot() {
    return (await api.call("GET", `/projects/${projectA}/eventstreams`)).body;
  }

  const matrix: [Who, Action][] = (Object.keys(allowed) as Who[]).flatMap((who) =>
    (["list", "get", "create", "update", "delete"] as Action[]).map((action): [Who, Action] => [who, action]),
  );

  it.each(matrix)("%s token: %s on project A", async (who, action) => {
    const seed = await api.call("POST", `/projects/${projectA}/eventstreams?verify=false`, { body });
    expect(seed.status).toBe(201);
    const streamPath = `/projects/${projectA}/eventstreams/${seed.body.id}`;
    const before = await snapshot();
    const request = {
      list: ["GET", `/projects/${projectA}/eventstreams`, undefined],
      get: ["GET", streamPath, undefined],
      create: ["POST", `/projects/${projectA}/eventstreams?verify=false`, body],
      update: ["PATCH", `${streamPath}?verify=false`, { status: "paused" }],
      delete: ["DELETE", streamPath, undefined],
    }[action] as [string, string, unknown];
    const response = await api.call(request[0], request[1], {
      token: null,
      headers: headerFor(who),
      body: request[2],
    });
    if (allowed[who]) {
      expect(response.status).toBe(successStatus[action]);
    } else {
      expect(response.status).toBe(expectedStatus[who]);
      expect(response.body.error.code).toBe(who === "other" ? "forbidden" : "unauthorized");
      expect(await snapshot()).toEqual(before); // a refused call changes nothing
    }
    // Clean up so the project stays under its stream limit.
    for (const stream of (await snapshot()).event_streams) {
      await api.call("DELETE", `/projects/${projectA}/eventstreams/${stream.id}`);
    }
  });

  it("a project token cannot see another project's stream through its own project path", async () => {
    const streamB = await api.call("POST", `/projects/${projectB}/eventstreams?verify=false`, {
      body,
      token: tokenB,
    });
    expect(streamB.status).toBe(201);
    const probe = await api.call("GET", `/projects/${projectA}/eventstreams/${streamB.body.id}`, {
      token: tokenA,
    });
    expect(probe.status).toBe(404);
    const del = await api.call("DELETE", `/projects/${projectA}/eventstreams/${streamB.body.id}`, {
      token: tokenA,
    });
    expect(del.status).toBe(404);
    expect((await api.call("GET", `/projects/${projectB}/eventstreams/${streamB.body.id}`)).status).toBe(200);
  });

  it("lists the projects a token may manage: an admin's those with streams, a project token's its own", async () => {
    for (const [project, token] of [
      [projectA, tokenA],
      [projectB, tokenB],
    ] as const) {
      const created = await api.call("POST", `/projects/${project}/eventstreams?verify=false`, {
        body,
        token,
      });
      expect(created.status).toBe(201);
    }
    const all = await api.call("GET", "/projects");
    expect(all.status).toBe(200);
    expect(all.body.admin).toBe(true);
    const ids = all.body.projects.map((p: { id: string }) => p.id);
    expect(ids).toEqual([projectA, projectB].sort());
    expect(all.body.projects.every((p: { streams: number }) => p.streams >= 1)).toBe(true);
    expect(all.body.next_after).toBeNull();

    // A page at a time, in id order.
    const first = await api.call("GET", "/projects?limit=1");
    expect(first.body.projects.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(first.body.next_after).toBe(ids[0]);
    const second = await api.call("GET", `/projects?limit=1&after=${first.body.next_after}`);
    expect(second.body.projects.map((p: { id: string }) => p.id)).toEqual([ids[1]]);
    expect(second.body.next_after).toBeNull();

    const own = await api.call("GET", "/projects", { token: tokenA });
    expect(own.body).toMatchObject({ admin: false, projects: [{ id: projectA }] });
    expect((await api.call("GET", "/projects", { token: null })).status).toBe(401);
    const bad = await api.call("GET", "/projects?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("limit");
  });

  it("health endpoints are public; tokens never reach the logs", async () => {
    expect((await api.call("GET", "/healthz", { token: null })).status).toBe(200);
    const ready = await api.call("GET", "/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    const logs = api.logs.join("");
    expect(logs.length).toBeGreaterThan(0);
    for (const token of [api.adminToken, tokenA, tokenB]) expect(logs).not.toContain(token);
  });
});
