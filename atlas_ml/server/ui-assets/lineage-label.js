function(text) {
    // A lineage node's label: its name on two lines of at most 18 characters (the stock
    // label's width), broken at '@', ' ', '/' or '.', at the most balanced break and not
    // after a '.' when another fits; a path keeps its end (the file). dagre-d3 draws each
    // '\n'-separated line as its own tspan. Installed by atlas_ml/server/webui.py.
    var max = 18, tokens, head, tail, i, j, k, best, score, path;
    text = String(text == null ? "" : text);
    if (text.length <= max) return text;
    path = /^([a-z][a-z0-9+.-]*:\/\/[^\/]*)?\//i.test(text);
    tokens = (text.match(/@?[^@\/ .]*[\/ .]?/g) || []).filter(Boolean);
    for (k = 1; k < tokens.length; k++) {
        head = tokens.slice(0, k).join("").trim();
        tail = tokens.slice(k).join("").trim();
        score = Math.max(head.length, tail.length) + (/\.$/.test(head) ? 4 : 0);
        if (head.length <= max && tail.length <= max && !(score >= best)) best = score, j = k;
    }
    if (j) return tokens.slice(0, j).join("").trim() + "\n" + tokens.slice(j).join("").trim();
    // No break fits both lines: keep the end whole (versions, hashes and file names are
    // there) and shorten the start.
    tail = "";
    for (j = tokens.length; j > 0 && (tokens[j - 1] + tail).trim().length <= max; j--) {
        tail = tokens[j - 1] + tail;
    }
    if (!tail) return "\u2026" + text.slice(1 - max);
    head = "";
    if (path) {
        for (i = j; i > 0 && (tokens[i - 1] + head).length <= max - 2; i--) head = tokens[i - 1] + head;
        head = (i > 0 ? "\u2026/" : "") + head;
    } else {
        for (i = 0; i < j && (head + tokens[i]).trim().length <= max; i++) head += tokens[i];
        if (i < j) head = (head || tokens[0]).slice(0, max - 1).trim() + "\u2026";
    }
    return head.trim() + "\n" + tail.trim();
}
