/* The graph's tools in the browser (dashboard.ui.pages.pipeline.tools): the SVG export and the
 * overview of a big graph. Over MINIMAP_NODES visible nodes a small canvas in the graph's frame draws every node
 * where it is and the viewport as a rectangle; a click or a drag there moves the viewport.
 * What focus, path, filters and groups mark is decided on the server (classes). */

var MINIMAP_NODES = 150;  /* as elements.LARGE_GRAPH_NODES: past it labels cannot all be read */
var MINIMAP_W = 180, MINIMAP_H = 120, MINIMAP_PAD = 6;

function minimapCanvas(cy) {
    var frame = cy.container() && cy.container().closest(".graph-frame");
    if (!frame) { return null; }
    var canvas = frame.querySelector("canvas.graph-minimap");
    if (!canvas) {
        canvas = document.createElement("canvas");
        canvas.className = "graph-minimap";
        canvas.width = MINIMAP_W * (window.devicePixelRatio || 1);
        canvas.height = MINIMAP_H * (window.devicePixelRatio || 1);
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", "Overview of the graph: click or drag to move the view");
        canvas.title = "Overview: click or drag to move the view";
        frame.appendChild(canvas);
        var drag = false;
        var moveTo = function (event) {
            var map = canvas.__map;
            if (!map) { return; }
            var box = canvas.getBoundingClientRect();
            var x = (event.clientX - box.left - map.dx) / map.scale + map.x1;
            var y = (event.clientY - box.top - map.dy) / map.scale + map.y1;
            var zoom = cy.zoom();
            cy.pan({x: cy.width() / 2 - x * zoom, y: cy.height() / 2 - y * zoom});
        };
        canvas.addEventListener("mousedown", function (e) { drag = true; moveTo(e); e.preventDefault(); });
        window.addEventListener("mousemove", function (e) { if (drag) { moveTo(e); } });
        window.addEventListener("mouseup", function () { drag = false; });
    }
    return canvas;
}

function drawMinimap(cy) {
    var canvas = minimapCanvas(cy);
    if (!canvas) { return; }
    var nodes = cy.nodes(":visible").filter(function (n) { return !n.isParent(); });
    if (nodes.length <= MINIMAP_NODES) {
        canvas.hidden = true;
        canvas.__map = null;
        return;
    }
    canvas.hidden = false;
    var ratio = window.devicePixelRatio || 1;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, MINIMAP_W, MINIMAP_H);
    var bb = nodes.boundingBox();
    var scale = Math.min((MINIMAP_W - 2 * MINIMAP_PAD) / Math.max(bb.w, 1),
                         (MINIMAP_H - 2 * MINIMAP_PAD) / Math.max(bb.h, 1));
    var map = {x1: bb.x1, y1: bb.y1, scale: scale,
               dx: (MINIMAP_W - bb.w * scale) / 2, dy: (MINIMAP_H - bb.h * scale) / 2};
    canvas.__map = map;
    nodes.forEach(function (node) {
        var p = node.position();
        ctx.globalAlpha = node.hasClass("dimmed") ? 0.2 : 1;
        ctx.fillStyle = node.style("background-color") || "#7b8794";
        ctx.fillRect(map.dx + (p.x - bb.x1) * scale - 1.5, map.dy + (p.y - bb.y1) * scale - 1.5, 3, 3);
    });
    ctx.globalAlpha = 1;
    var view = cy.extent();
    ctx.strokeStyle = "#0b6bcb";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(map.dx + (view.x1 - bb.x1) * scale, map.dy + (view.y1 - bb.y1) * scale,
                   view.w * scale, view.h * scale);
}

/* The whole graph as an SVG document on white, downloaded as <pipeline>-lineage.svg. The
 * status icons inside nodes are SVG images, which cytoscape-svg's canvas2svg cannot draw (it
 * logs an error per node): they are left out of the export (a status still has its own fill
 * and border). */
function downloadSvg(cy, pipeline) {
    var nodes = cy.nodes();
    nodes.style("background-image", "none");
    var text;
    try {
        text = cy.svg({full: true, scale: 1, bg: "#ffffff"});
    } finally {
        nodes.removeStyle("background-image");
    }
    var url = URL.createObjectURL(new Blob([text], {type: "image/svg+xml"}));
    var link = document.createElement("a");
    link.href = url;
    link.download = pipeline + "-lineage.svg";
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
}

window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.graphTools = {
    /* The SVG button: the graph shown, drawn as SVG in the browser. */
    exportSvg: function (clicks, meta) {
        var cy = window.cy;
        if (cy && clicks && meta && meta.pipeline && typeof cy.svg === "function") {
            downloadSvg(cy, String(meta.pipeline));
        }
        return window.dash_clientside.no_update;
    },
    /* Elements changed: (re)draw the overview, and keep it drawn as the viewport moves. */
    minimap: function () {
        var cy = window.cy;
        var nu = window.dash_clientside.no_update;
        if (!cy) { return nu; }
        if (!cy.__minimap) {
            cy.__minimap = true;
            var queued = false;
            var redraw = function () {
                if (queued) { return; }
                queued = true;
                window.requestAnimationFrame(function () { queued = false; drawMinimap(cy); });
            };
            cy.on("viewport layoutstop add remove position style", redraw);
            cy.on("resize", redraw);
        }
        window.setTimeout(function () { drawMinimap(cy); }, 0);
        return nu;
    }
};
