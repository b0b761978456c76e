// The claim page's timeline: fetched from the view scoped by the claim token, drawn with DOM
// nodes and textContent only (project text is never parsed as HTML). No build step.
"use strict";

(function () {
  const section = document.getElementById("timeline");
  const status = document.getElementById("timeline-status");
  if (!section || !status) return;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function secs(value) {
    const rounded = Math.round(value * 10) / 10;
    return (Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)) + " s";
  }

  function describe(track, seg) {
    if (track.type === "text") return seg.text ? "\u201c" + seg.text + "\u201d" : "(empty text)";
    const bits = [seg.name || seg.label];
    if (seg.volume !== null && seg.volume !== undefined) bits.push("volume " + seg.volume + "%");
    const d = seg.details || {};
    if (d.motion) bits.push("motion " + d.motion);
    if (d.transition) bits.push("transition " + d.transition);
    if (d.fade_in) bits.push("fade-in " + d.fade_in + " ms");
    if (d.fade_out) bits.push("fade-out " + d.fade_out + " ms");
    return bits.join(" \u00b7 ");
  }

  function draw(view) {
    const tl = view.timeline;
    if (!tl || !tl.tracks || tl.tracks.length === 0) {
      status.textContent = "The timeline is empty: upload a photo and ask for a video in the chat.";
      return;
    }
    const total = Math.max(tl.duration || 0, 0.001);
    const facts = [secs(tl.duration)];
    if (tl.aspect) facts.push(tl.aspect);
    if (tl.width && tl.height) facts.push(tl.width + "\u00d7" + tl.height);
    if (tl.fps) facts.push(tl.fps + " fps");
    const summary = el("p", "meta", facts.join(" \u00b7 "));
    summary.id = "timeline-facts";

    const lanes = el("div", "lanes");
    const table = el("table", "segments");
    table.id = "timeline-table";
    const head = table.createTHead().insertRow();
    ["Track", "Start", "End", "Content"].forEach(function (h) {
      head.appendChild(el("th", null, h));
    });
    const rows = table.createTBody();

    tl.tracks.forEach(function (track, index) {
      const lane = el("div", "lane lane-" + track.type);
      lane.appendChild(el("div", "lane-label", (index + 1) + ". " + track.label));
      const bar = el("div", "lane-bar");
      track.segments.forEach(function (seg) {
        const block = el("div", "seg seg-" + track.type, describe(track, seg));
        block.style.left = (100 * seg.start / total) + "%";
        block.style.width = Math.max(0.5, 100 * (seg.end - seg.start) / total) + "%";
        block.title = secs(seg.start) + " \u2013 " + secs(seg.end);
        bar.appendChild(block);

        const row = rows.insertRow();
        row.className = "row-" + track.type;
        row.appendChild(el("td", null, seg.label));
        row.appendChild(el("td", "num", secs(seg.start)));
        row.appendChild(el("td", "num", secs(seg.end)));
        row.appendChild(el("td", null, describe(track, seg)));
      });
      lane.appendChild(bar);
      lanes.appendChild(lane);
    });

    status.remove();
    section.appendChild(summary);
    section.appendChild(lanes);
    section.appendChild(table);
    section.setAttribute("data-state", "shown");
  }

  fetch(section.getAttribute("data-view"), { credentials: "omit", cache: "no-store" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      status.textContent = "Could not load the timeline (" + error.message + "). Reload the page.";
      section.setAttribute("data-state", "error");
    });
})();
