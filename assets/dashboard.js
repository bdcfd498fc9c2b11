/* The dashboard's clientside callbacks: camera moves, focus, search matches, tooltips, the
 * legend and the drawer, all in the browser (no round trip to the server).
 * dash-cytoscape keeps its Cytoscape instance in window.cy (one graph on a page).
 * Nodes are found by their element ids ("step:<name>", "artifact:<id>": the server's node and
 * match stores hold those); what is shown of a node is its label, its hidden characters
 * already escaped by the server (dashboard.ui.components.visible). */

/* dash-cytoscape always hands Cytoscape its own default wheelSensitivity (1), and Cytoscape
 * warns about any value it is given, the default too: that one warning says nothing about
 * this page, so it is dropped; every other warning still reaches the console. */
(function () {
    var warn = console.warn.bind(console);
    console.warn = function () {
        var first = arguments[0];
        if (typeof first === "string" && first.indexOf("You have set a custom wheel sensitivity") === 0) {
            return;
        }
        warn.apply(null, arguments);
    };
})();

var FIT_PADDING = 30;  /* as the layouts' own fit (dashboard.ui.components.elements) */

/* Where a fit left the camera: a resize refits only a camera nobody has moved since. */
function fitted(cy) {
    var pan = cy.pan();
    cy.__fitted = {zoom: cy.zoom(), x: pan.x, y: pan.y};
}

/* The whole graph in view, animated (the fit buttons). */
function fitAll(cy) {
    cy.animate({fit: {eles: cy.elements(), padding: FIT_PADDING}},
               {duration: 250, complete: function () { fitted(cy); }});
}

/* Listeners set once per graph (under the mark `flag`): a node's whole name (`tipText` of its
 * data) in the tooltip `tipId` under the pointer (labels are cut at 150 px; text only), and a
 * refit whenever the graph's box changes size for as long as the camera is where the last fit
 * left it: a zoom, a pan or a focus on a node, by the user or by the page, keeps it there. */
function watchGraph(tipId, flag, tipText) {
    var cy = window.cy;
    var nu = window.dash_clientside.no_update;
    var tip = document.getElementById(tipId);
    if (!cy || !tip || cy[flag]) { return nu; }
    cy[flag] = true;
    cy.on("mouseover", "node", function (event) {
        tip.textContent = tipText(event.target.data());
        var at = event.renderedPosition || event.target.renderedPosition();
        tip.style.left = Math.round(at.x + 14) + "px";
        tip.style.top = Math.round(at.y + 14) + "px";
        tip.hidden = false;
    });
    cy.on("mouseout", "node", function () { tip.hidden = true; });
    cy.on("viewport", function () { tip.hidden = true; });
    cy.on("layoutstop", function () { fitted(cy); });
    /* A layout that ended before these listeners existed left the camera where its fit put it. */
    if (!cy.__fitted && !cy.animated()) { fitted(cy); }
    cy.on("resize", function () {
        var last = cy.__fitted;
        var pan = cy.pan();
        var untouched = last && Math.abs(last.zoom - cy.zoom()) < 1e-9 &&
            Math.abs(last.x - pan.x) < 0.5 && Math.abs(last.y - pan.y) < 0.5;
        if (untouched && cy.elements().length) {
            cy.fit(cy.elements(), FIT_PADDING);
            fitted(cy);
        }
    });
    return nu;
}

/* The side panel as a drawer (narrow screens): a selection or the button `<prefix>drawer-toggle`
 * opens it, `<prefix>drawer-close` or the button again closes it. Wide screens ignore the class. */
function drawerClass(prefix, node, className) {
    var triggered = (window.dash_clientside.callback_context.triggered || [])
        .map(function (t) { return t.prop_id; });
    var open = (className || "").indexOf("drawer-open") >= 0;
    if (triggered.indexOf(prefix + "drawer-close.n_clicks") >= 0) {
        open = false;
    } else if (triggered.indexOf(prefix + "drawer-toggle.n_clicks") >= 0) {
        open = !open;
    } else if (node) {
        open = true;
    }
    return open ? "workspace drawer-open" : "workspace";
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    lineage: {
        /* The page on screen: the mark its layout carries (dashboard.ui.pages.page_mark). */
        shownPage: function (marks) {
            return (marks && marks.length) ? marks[0] : null;
        },
        camera: function () {
            var cy = window.cy;
            var nu = window.dash_clientside.no_update;
            var triggered = (window.dash_clientside.callback_context.triggered || [])[0];
            if (!cy || !triggered) { return nu; }
            var id = triggered.prop_id.split(".")[0];
            if (id === "fit-button") {
                fitAll(cy);
            } else {
                var factor = id === "zoom-in-button" ? 1.25 : 0.8;
                var zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor));
                cy.zoom({level: zoom,
                         renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
            }
            return nu;
        },
        /* The selected node (URL, search, back/forward: its element id) is selected in the
         * graph and centred; a node the user tapped is already selected and stays where it is. */
        focus: function (node) {
            var cy = window.cy;
            var nu = window.dash_clientside.no_update;
            if (!cy) { return nu; }
            var triggered = (window.dash_clientside.callback_context.triggered || [])[0];
            var byElements = triggered && triggered.prop_id.indexOf(".elements") > 0;
            window.setTimeout(function () {
                if (!node) {
                    if (!byElements) { cy.nodes(":selected").unselect(); }
                    return;
                }
                var target = cy.getElementById(node);
                if (target.empty()) { return; }
                if (target.selected()) {
                    return;  /* a tap, or a graph drawn with it selected: the camera stays */
                }
                cy.nodes(":selected").unselect();
                target.select();
                cy.animate({center: {eles: target}, zoom: Math.max(cy.zoom(), 0.9)},
                           {duration: 300});
            }, byElements ? 450 : 0);
            return nu;
        },
        /* The steps a search found (their element ids): marked, and the view fitted to several
         * (not too close). */
        showMatches: function (ids) {
            var cy = window.cy;
            var nu = window.dash_clientside.no_update;
            if (!cy) { return nu; }
            cy.nodes(".search-match").removeClass("search-match");
            var found = cy.collection();
            var groups = cy.nodes(".group-collapsed");
            (ids || []).forEach(function (id) {
                var node = cy.getElementById(id);
                if (node.empty()) {  /* a step inside a collapsed group: its group is marked */
                    node = groups.filter(function (g) {
                        return (g.data("members") || []).indexOf(id) >= 0;
                    });
                }
                found = found.union(node);
            });
            if (found.empty()) { return nu; }
            found.addClass("search-match");
            if (found.length < 2) {
                /* One match is selected and focus centres it; one not shown alone (its group)
                 * is centred here. */
                if (!found.selected()) {
                    cy.animate({center: {eles: found}, zoom: Math.max(cy.zoom(), 0.9)},
                               {duration: 300});
                }
                return nu;
            }
            cy.animate({fit: {eles: found, padding: 90}}, {
                duration: 300,
                complete: function () {
                    if (cy.zoom() > 1.4) {
                        cy.zoom({level: 1.4, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
                        cy.center(found);
                    }
                }
            });
            return nu;
        },
        /* The graph's listeners (watchGraph): an artifact's tooltip is its URI. */
        graphEvents: function () {
            return watchGraph("graph-tooltip", "__graphEvents", function (data) {
                return data.kind === "artifact" ? (data.uri || data.label) : data.label;
            });
        },
        /* The legend: [remembered open?, legend hidden?, button expanded?]. */
        legend: function (clicks, open) {
            var triggered = (window.dash_clientside.callback_context.triggered || [])
                .map(function (t) { return t.prop_id; });
            var nu = window.dash_clientside.no_update;
            if (triggered.indexOf("legend-toggle.n_clicks") >= 0 && clicks) {
                var now = !open;
                return [now, !now, now ? "true" : "false"];
            }
            return [nu, !open, open ? "true" : "false"];
        },
        /* The side panel as a drawer (drawerClass). */
        drawer: function (node, toggles, closes, className) {
            return drawerClass("", node, className);
        }
    }
});

/* The estate page (dashboard.ui.pages.estate): its fit button, its graph's listeners and its
 * drawer, beside the pipeline page's own (the same window.cy: one graph on a page). */
window.dash_clientside.lineage = Object.assign({}, window.dash_clientside.lineage, {
    estateFit: function () {
        var cy = window.cy;
        if (cy) { fitAll(cy); }
        return window.dash_clientside.no_update;
    },
    /* A node's whole name under the pointer, and a refit on resize (watchGraph). */
    estateGraphEvents: function () {
        return watchGraph("estate-graph-tooltip", "__estateEvents", function (data) {
            return data.name || data.label;
        });
    },
    estateDrawer: function (node, toggles, closes, className) {
        return drawerClass("estate-", node, className);
    }
});

/* The pipeline page's tabs (dashboard.ui.pages.pipeline.layout): the Timeline and Trends panels
 * shown over the graph's workspace, which stays laid out beneath (its camera kept). And the
 * Compare page (dashboard.ui.pages.compare): its fit button and its graph's listeners. */
window.dash_clientside.lineage = Object.assign({}, window.dash_clientside.lineage, {
    /* [timeline panel hidden?, trends panel hidden?] for the tab chosen. */
    tabPanels: function (tab) {
        return [tab !== "timeline", tab !== "trends"];
    },
    compareFit: function () {
        var cy = window.cy;
        if (cy) { fitAll(cy); }
        return window.dash_clientside.no_update;
    },
    /* A step's whole name under the pointer, and a refit on resize (watchGraph). */
    compareGraphEvents: function () {
        return watchGraph("compare-graph-tooltip", "__compareEvents", function (data) {
            return data.label;
        });
    }
});
