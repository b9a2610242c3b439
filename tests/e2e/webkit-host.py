#!/usr/bin/python3
"""A WebKitGTK browser shell for WebKitWebDriver that keeps its data in a directory of its own.

MiniBrowser's automation mode always runs on an ephemeral data manager, so IndexedDB and the
service worker are gone when the session ends. This shell (the same WebKitGTK engine, through
Debian's python3-gi and gir1.2-webkit2-4.1) stores them under argv[1], so the end-to-end suite
can restart the browser with the same data (tests/e2e/webkit.mjs, `launchWebKit({ profile })`).
WebKitWebDriver starts it with WEBKIT_INSPECTOR_SERVER set; allowing automation is what makes
the web context listen there.
"""

import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: webkit-host.py PROFILE_DIR")
    profile = sys.argv[1]
    manager = WebKit2.WebsiteDataManager(
        base_data_directory=os.path.join(profile, "data"),
        base_cache_directory=os.path.join(profile, "cache"),
    )
    context = WebKit2.WebContext(website_data_manager=manager)
    context.set_automation_allowed(True)

    def new_view(_session):
        view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True)
        window = Gtk.Window()
        window.set_default_size(1024, 768)
        window.add(view)
        view.connect("close", lambda _v: window.destroy())
        window.show_all()
        return view

    def started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("xunfang-webkit-host")
        info.set_version(1, 0, 0)
        session.set_application_info(info)
        session.connect("create-web-view", new_view)

    context.connect("automation-started", started)
    Gtk.main()


if __name__ == "__main__":
    main()
