document.getElementById && (window.widgetLoaded = true);
