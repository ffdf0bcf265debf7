// memoire's desk page: an article in, its draft segment by segment, each
// confirmed translation learnt at once. Talks only to the server that
// serves it (the JSON API under /api/v1).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { name: null, bytes: null, draft: null };

$("token").value = localStorage.getItem("memoire-token") || "";
$("token").addEventListener("change", () => {
  localStorage.setItem("memoire-token", $("token").value.trim());
  whoami();
});

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = $("token").value.trim();
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

async function api(method, path, body, contentType) {
  const response = await fetch(path, {
    method,
    headers: headers(contentType ? { "Content-Type": contentType } : {}),
    body,
  });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try {
      const error = await response.json();
      message = error.message || message;
    } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function langs() {
  return "src=" + encodeURIComponent($("src").value.trim()) +
    "&tgt=" + encodeURIComponent($("tgt").value.trim());
}

function say(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function whoami() {
  try {
    const who = await (await api("GET", "/api/v1/whoami")).json();
    $("who").textContent = (who.user || "open server") + " (" + who.role + ")";
    $("who").className = "";
  } catch (e) {
    $("who").textContent = e.message;
    $("who").className = "error";
  }
}

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  state.name = file.name;
  state.bytes = new Uint8Array(await file.arrayBuffer());
  if (/\.txt$/i.test(file.name)) {
    $("text").value = new TextDecoder().decode(state.bytes);
  } else {
    $("text").value = "";
    $("text").placeholder = file.name + " (" + state.bytes.length + " bytes)";
  }
});

$("text").addEventListener("input", () => {
  state.name = "article.txt";
  state.bytes = null;
});

function article() {
  if (state.bytes && state.name && !/\.txt$/i.test(state.name)) {
    return { name: state.name, body: state.bytes };
  }
  return { name: state.name || "article.txt", body: $("text").value };
}

async function pretranslate() {
  const { name, body } = article();
  if (!body || body.length === 0) {
    say("Paste an article or choose a file first.", true);
    return;
  }
  say("Pre-translating…");
  try {
    const response = await api("POST", "/api/v1/pretranslate?name=" +
      encodeURIComponent(name) + "&" + langs(), body, "application/octet-stream");
    state.draft = await response.json();
    state.article = name;
    render();
    const analysis = state.draft.analysis;
    say(analysis.segments + " segments, " + analysis.words + " words.");
  } catch (e) {
    say(e.message, true);
  }
}
$("run").addEventListener("click", pretranslate);

// Text for HTML, in element content and in attribute values alike.
function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function diffHtml(parts) {
  return parts.map((p) => p.kind === "removed" ? "<del>" + escape(p.text) + "</del>"
    : p.kind === "added" ? "<ins>" + escape(p.text) + "</ins>" : escape(p.text)).join("");
}

function sourceHtml(segment) {
  // Glossary terms highlighted, with their translations on hover.
  const bytes = new TextEncoder().encode(segment.source);
  let html = "", from = 0;
  for (const term of segment.terms) {
    if (term.start < from) continue;
    const decode = (a, b) => new TextDecoder().decode(bytes.slice(a, b));
    const targets = term.entries.filter((e) => e.status !== "forbidden").map((e) => e.target);
    html += escape(decode(from, term.start)) + '<mark title="' + escape(targets.join(" | ")) +
      '">' + escape(decode(term.start, term.end)) + "</mark>";
    from = term.end;
  }
  html += escape(new TextDecoder().decode(bytes.slice(from)));
  if (segment.terms.length) {
    html += '<div class="terms">' + segment.terms.map((t) => escape(t.text) + " → " +
      escape(t.entries.filter((e) => e.status !== "forbidden").map((e) => e.target).join(" | "))).join("; ") + "</div>";
  }
  return html;
}

function matchHtml(segment) {
  const s = segment.suggestion;
  let html = "";
  if (segment.repetition_of) html += '<div class="score">repetition of ' + segment.repetition_of + "</div>";
  if (s) {
    html += '<div class="score">' + s.score + " %</div>" + escape(s.origin);
    if (s.score < 100) html += "<div>" + diffHtml(s.diff_parts) + "</div>";
  } else if (!segment.repetition_of) {
    html += "new";
  }
  for (const w of segment.warnings) html += '<div class="warning">⚠ ' + escape(w) + "</div>";
  return html;
}

function render() {
  const draft = state.draft;
  $("draft-section").hidden = false;
  const a = draft.analysis;
  $("analysis").textContent = a.rows.filter((r) => r.segments > 0)
    .map((r) => r.label + ": " + r.segments).join(" · ") +
    " — " + a.weighted_words.toFixed(1) + " weighted words of " + a.words;
  $("dl-document").hidden = /\.txt$/i.test(state.article);
  const tbody = document.querySelector("#draft tbody");
  tbody.innerHTML = "";
  draft.segments.forEach((segment, k) => {
    const row = document.createElement("tr");
    row.className = segment.band;
    row.dataset.index = k;
    row.innerHTML = '<td class="num">' + segment.id + '</td><td class="source" lang="' +
      escape(draft.source_lang) + '">' + sourceHtml(segment) + '</td><td class="target"><textarea rows="2" lang="' +
      escape(draft.target_lang) + '" aria-label="Translation of segment ' + segment.id + '"></textarea>' +
      '<button type="button" class="confirm">Confirm</button></td><td class="match">' +
      matchHtml(segment) + "</td>";
    row.querySelector("textarea").value = segment.target || "";
    tbody.appendChild(row);
  });
}

async function confirm(row) {
  const segment = state.draft.segments[Number(row.dataset.index)];
  const target = row.querySelector("textarea").value.trim();
  if (!target) {
    say("Segment " + segment.id + " has no translation to confirm.", true);
    return false;
  }
  const pair = {
    source: segment.source, target,
    src: $("src").value.trim(), tgt: $("tgt").value.trim(),
  };
  // A file's name labels what is learnt from it; pasted text keeps the
  // server's default origin.
  if (state.bytes && state.name) pair.origin = state.name;
  if (segment.prev_source) pair.previous = segment.prev_source;
  if (segment.next_source) pair.next = segment.next_source;
  try {
    await api("POST", "/api/v1/learn", JSON.stringify(pair), "application/json");
    row.classList.add("confirmed");
    say("Segment " + segment.id + " learnt.");
    return true;
  } catch (e) {
    say("Segment " + segment.id + ": " + e.message, true);
    return false;
  }
}

document.querySelector("#draft tbody").addEventListener("click", (event) => {
  if (event.target.classList.contains("confirm")) confirm(event.target.closest("tr"));
});

document.querySelector("#draft tbody").addEventListener("keydown", async (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
    event.preventDefault();
    const row = event.target.closest("tr");
    if (await confirm(row)) {
      const next = row.nextElementSibling;
      if (next) next.querySelector("textarea").focus();
    }
  }
});

document.querySelectorAll("button[data-format]").forEach((button) => {
  button.addEventListener("click", async () => {
    const { name, body } = article();
    try {
      const response = await api("POST", "/api/v1/pretranslate?name=" + encodeURIComponent(name) +
        "&format=" + button.dataset.format + "&" + langs(), body, "application/octet-stream");
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = match ? match[1] : "draft";
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (e) {
      say(e.message, true);
    }
  });
});

$("concordance-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const list = $("concordance-results");
  list.innerHTML = "";
  try {
    const found = await (await api("GET", "/api/v1/concordance?q=" +
      encodeURIComponent($("concordance").value) + "&" + langs())).json();
    for (const o of found) {
      const li = document.createElement("li");
      const s = o.source;
      const enc = new TextEncoder().encode(s), dec = (a, b) => new TextDecoder().decode(enc.slice(a, b));
      li.innerHTML = escape(dec(0, o.match_start)) + "<mark>" + escape(dec(o.match_start, o.match_end)) +
        "</mark>" + escape(dec(o.match_end)) + "<br>→ " + escape(o.target);
      list.appendChild(li);
    }
    if (!found.length) list.innerHTML = "<li>nothing found</li>";
  } catch (e) {
    list.innerHTML = "<li class=\"warning\">" + escape(e.message) + "</li>";
  }
});

$("terms-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const list = $("terms-results");
  list.innerHTML = "";
  try {
    const hits = await (await api("GET", "/api/v1/terms?q=" +
      encodeURIComponent($("terms").value) + "&" + langs())).json();
    for (const h of hits) {
      const li = document.createElement("li");
      li.textContent = h.source + " → " + h.target + (h.status !== "preferred" ? " (" + h.status + ")" : "") +
        (h.note ? " — " + h.note : "");
      list.appendChild(li);
    }
    if (!hits.length) list.innerHTML = "<li>nothing found</li>";
  } catch (e) {
    list.innerHTML = "<li class=\"warning\">" + escape(e.message) + "</li>";
  }
});

whoami();
