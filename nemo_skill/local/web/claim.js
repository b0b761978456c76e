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

  function words(value) {
    return String(value).replace(/_/g, " ");
  }

  // The cut into a segment: {"type", "d" (ms)} in the draft, {"type", "duration" (s)} in blocks.
  function cut(transition) {
    if (!transition || typeof transition !== "object") return "transition " + transition;
    const ms = transition.duration !== undefined ? transition.duration * 1000 : transition.d;
    return words(transition.type || "crossfade") + " into it (" + secs((ms || 0) / 1000) + ")";
  }

  function textItem(seg) {
    const item = el("li", "text-item");
    const role = seg.role ? seg.role.charAt(0).toUpperCase() + seg.role.slice(1) : "Text";
    item.appendChild(el("span", "text-words", role + " \u201c" + (seg.text || "") + "\u201d"));
    item.appendChild(el("span", "meta", " " + secs(seg.start) + " \u2013 " + secs(seg.end)));
    (seg.notes || []).forEach(function (note) {
      item.appendChild(el("p", "note", note));
    });
    return item;
  }

  // One block per photo (its name, time range, motion, the cut into it, its captions), then
  // the whole clip's music and texts.
  function drawBlocks(tl) {
    const holder = el("div", "blocks");
    holder.id = "timeline-blocks";
    (tl.segments || []).forEach(function (seg) {
      const block = el("section", "block block-photo");
      block.setAttribute("data-segment", seg.id || "");
      block.appendChild(el("h3", null, "Photo " + seg.number + " \u00b7 " + seg.name));
      const facts = [secs(seg.start) + " \u2013 " + secs(seg.end)];
      if (seg.motion) facts.push(words(seg.motion) + (seg.speed && seg.speed !== 1 ? " \u00d7" + seg.speed : ""));
      facts.push(seg.transition ? cut(seg.transition) : "plain cut into it");
      block.appendChild(el("p", "meta", facts.join(" \u00b7 ")));
      if (seg.captions && seg.captions.length) {
        const list = el("ul", "texts");
        seg.captions.forEach(function (c) { list.appendChild(textItem(c)); });
        block.appendChild(list);
      }
      holder.appendChild(block);
    });
    const whole = tl.whole_clip || { music: [], texts: [] };
    if (whole.music.length || whole.texts.length) {
      const block = el("section", "block block-whole");
      block.id = "whole-clip";
      block.appendChild(el("h3", null, (tl.segments || []).length ? "Whole clip" : "Clip"));
      const list = el("ul", "texts");
      whole.music.forEach(function (m) {
        const bits = ["Music: " + m.name, secs(m.start) + " \u2013 " + secs(m.end)];
        if (m.volume !== null && m.volume !== undefined) bits.push("volume " + m.volume + "%");
        if (m.bpm) bits.push(m.bpm + " bpm");
        list.appendChild(el("li", "music-item", bits.join(" \u00b7 ")));
      });
      whole.texts.forEach(function (t) { list.appendChild(textItem(t)); });
      block.appendChild(list);
      holder.appendChild(block);
    }
    return holder;
  }

  function describe(track, seg) {
    if (track.type === "text") return seg.text ? "\u201c" + seg.text + "\u201d" : "(empty text)";
    const bits = [seg.name || seg.label];
    if (seg.volume !== null && seg.volume !== undefined) bits.push("volume " + seg.volume + "%");
    const d = seg.details || {};
    if (d.motion) bits.push("motion " + d.motion);
    if (d.transition) bits.push(cut(d.transition));
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
    section.appendChild(drawBlocks(tl));
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
