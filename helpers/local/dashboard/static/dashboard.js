/* The live class dashboard: a snapshot arrives by server-sent events (/admin/events,
   sent with the session cookie) and the tables are redrawn from it. Names and answers
   are written with textContent only, never as markup. */
(function () {
  "use strict";
  var I = window.CourseI18n;
  var last = null;
  var lastAt = 0;
  var connected = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function ago(ts, now) {
    if (!ts) { return I.t("never"); }
    var s = Math.max(0, Math.round(now - ts));
    if (s < 5) { return I.t("justNow"); }
    if (s < 60) { return I.t("secondsAgo", { n: s }); }
    if (s < 3600) { return I.t("minutesAgo", { n: Math.floor(s / 60) }); }
    return I.t("hoursAgo", { n: Math.floor(s / 3600) });
  }

  function lessonsOf(exercises) {
    var groups = [];
    exercises.forEach(function (ex) {
      var lesson = ex.split(".")[0];
      if (!groups.length || groups[groups.length - 1].lesson !== lesson) { groups.push({ lesson: lesson, items: [] }); }
      groups[groups.length - 1].items.push(ex);
    });
    return groups;
  }

  function gridHead(groups) {
    var thead = el("thead");
    var top = el("tr");
    var sub = el("tr");
    // Fifty-odd exercises must fit a projector's width: the lesson row shows only
    // the number (the full name is the tooltip), its label sits in the corner.
    top.appendChild(el("th", "name", I.t("lessonRow")));
    sub.appendChild(el("th", "name", I.t("student")));
    groups.forEach(function (g) {
      var th = el("th", "lesson", g.lesson);
      th.title = I.t("lesson", { n: g.lesson });
      th.colSpan = g.items.length;
      top.appendChild(th);
      g.items.forEach(function (ex) { sub.appendChild(el("th", "ex", "." + ex.split(".")[1])); });
    });
    top.appendChild(el("th", "count", I.t("passedCount"))).rowSpan = 2;
    thead.appendChild(top);
    thead.appendChild(sub);
    return thead;
  }

  function cell(student, ex) {
    var c = student.progress[ex];
    var td = el("td", "cell " + (c ? c.status : "notyet"), c ? (c.status === "passed" ? "✓" : c.attempts) : "·");
    td.setAttribute("data-student", student.name);
    td.setAttribute("data-exercise", ex);
    var key = c ? (c.status === "passed" ? "cellPassed" : "cellTried") : "cellNotYet";
    var title = I.t(key, { name: student.name, ex: ex, n: c ? c.attempts : 0 });
    if (c && c.answer !== undefined) { title += "\n" + I.t("lastAnswer") + c.answer; }
    td.title = title;
    return td;
  }

  function renderGrid(snap) {
    var table = document.getElementById("grid");
    var groups = lessonsOf(snap.exercises);
    var body = el("tbody");
    snap.students.forEach(function (s) {
      var tr = el("tr");
      tr.appendChild(el("th", "name", s.name)).scope = "row";
      snap.exercises.forEach(function (ex) { tr.appendChild(cell(s, ex)); });
      tr.appendChild(el("td", "count", s.passed + "/" + snap.exercises.length));
      body.appendChild(tr);
    });
    if (!snap.students.length) {
      var empty = el("tr");
      empty.appendChild(el("td", "empty", I.t("noStudents"))).colSpan = snap.exercises.length + 2;
      body.appendChild(empty);
    }
    table.replaceChildren(gridHead(groups), body);
  }

  function renderUsage(snap) {
    var table = document.getElementById("usage");
    var head = el("tr");
    ["student", "requests", "tokens", "errors", "rateLimited", "lastSeen"].forEach(function (k) { head.appendChild(el("th", null, I.t(k))); });
    var thead = el("thead");
    thead.appendChild(head);
    var body = el("tbody");
    snap.students.forEach(function (s) {
      var tr = el("tr");
      tr.appendChild(el("th", "name", s.name)).scope = "row";
      tr.appendChild(el("td", "num", s.requests));
      tr.appendChild(el("td", "num", s.prompt_tokens + s.completion_tokens));
      tr.appendChild(el("td", "num" + (s.errors ? " warn" : ""), s.errors));
      tr.appendChild(el("td", "num" + (s.rate_limited ? " warn" : ""), s.rate_limited));
      tr.appendChild(el("td", "when", ago(s.last_seen, snap.now)));
      body.appendChild(tr);
    });
    table.replaceChildren(thead, body);
  }

  function renderChart(rate) {
    var svg = document.getElementById("chart");
    var ns = "http://www.w3.org/2000/svg";
    var max = Math.max(1, Math.max.apply(null, rate.map(function (p) { return p[1]; })));
    var w = 600, h = 140, n = Math.max(1, rate.length - 1);
    var points = rate.map(function (p, i) { return (i * w / n).toFixed(1) + "," + (h - 4 - (p[1] / max) * (h - 24)).toFixed(1); });
    var line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("class", "rate");
    svg.replaceChildren(line);
    document.getElementById("chart-max").textContent = I.t("chartMax", { v: max.toFixed(1) });
  }

  function renderClass(c) {
    document.getElementById("waiting").textContent = c.waiting;
    document.getElementById("busy").textContent = c.busy + "/" + c.slots;
    document.getElementById("tps").textContent = c.tokens_per_s.toFixed(1);
    renderChart(c.rate);
  }

  function render(snap) {
    last = snap;
    renderClass(snap["class"]);
    renderGrid(snap);
    renderUsage(snap);
    document.getElementById("answers-note").hidden = !snap.collect_answers;
    document.body.setAttribute("data-updated", String(snap.now));
  }

  function tick() {
    var live = document.getElementById("live");
    live.className = "live " + (connected ? "on" : "off");
    live.textContent = connected ? I.t("live", { s: Math.round((Date.now() - lastAt) / 1000) }) : I.t("reconnecting");
  }

  function connect() {
    var source = new EventSource("/admin/events");
    source.onmessage = function (e) {
      connected = true;
      lastAt = Date.now();
      render(JSON.parse(e.data));
      tick();
    };
    source.onerror = function () {
      connected = false;
      tick();
      fetch("/admin/state.json", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
        if (r.status === 401) { source.close(); window.location.reload(); }  // session over: show the sign-in form
      }).catch(function () { /* server away: EventSource keeps retrying */ });
    };
  }

  document.addEventListener("langchange", function () { if (last) { render(last); } tick(); });
  document.addEventListener("DOMContentLoaded", function () {
    connect();
    window.setInterval(tick, 1000);
  });
}());
