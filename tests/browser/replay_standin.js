// A stand-in for `POST /api/admin/stories/{id}/replay`, installed in the admin page by
// tests/browser_admin.rs only while the server has no such route. It follows the route's
// contract, computed from the story's recorded decisions: under the proposed settings a document
// alerts when it was no baseline and its score reaches `min_score`.
(() => {
  const realFetch = window.fetch.bind(window);
  const answer = (status, body) => new Response(JSON.stringify(body),
    { status, headers: { "Content-Type": "application/json" } });
  window.fetch = async (input, init = {}) => {
    const path = new URL(typeof input === "string" ? input : input.url, location.href).pathname;
    const match = path.match(/^\/api\/admin\/stories\/(\d+)\/replay$/);
    if (!match || init.method !== "POST") return realFetch(input, init);
    const settings = JSON.parse(init.body || "{}").settings;
    if (!(settings.min_score > 0 && settings.min_score <= 100)) {
      const message = "min_score must be more than 0 and at most 100";
      return answer(400, { error: { code: "invalid_threshold", message } });
    }
    const url = `/api/admin/stories/${match[1]}/timeline?limit=1000`;
    const { timeline } = await (await realFetch(url, { credentials: "same-origin" })).json();
    const documents = timeline.reverse().map((e) => {
      const current = { alert: e.alert, score: e.score, facts: e.detail.facts, reasons: e.detail.reasons };
      const proposed = { ...current, alert: !e.detail.baseline && e.score >= settings.min_score };
      return { document_id: e.document_id, url: e.url, title: e.title, source: e.source,
        date: new Date(e.decided_at).toISOString(), current, proposed,
        changed: proposed.alert !== current.alert };
    });
    const count = (side) => documents.filter((d) => d[side].alert).length;
    return answer(200, { story: Number(match[1]), documents: documents.length,
      current_alerts: count("current"), proposed_alerts: count("proposed"), timeline: documents });
  };
})();
