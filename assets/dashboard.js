/* Camera moves of the lineage graph, in the browser (no round trip to the server).
 * dash-cytoscape keeps its Cytoscape instance in window.cy (one graph on this page). */
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
                cy.animate({fit: {eles: cy.elements(), padding: 30}}, {duration: 250});
            } else {
                var factor = id === "zoom-in-button" ? 1.25 : 0.8;
                var zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor));
                cy.zoom({level: zoom,
                         renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
            }
            return nu;
        },
        /* The selected node (URL, search, back/forward) is selected in the graph and centred;
         * a node the user tapped is already selected and stays where it is. */
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
        }
    }
});
