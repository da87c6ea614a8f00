#!/usr/bin/env python3
"""The charter outcomes page (/outcomes) in headless Chromium: as the public sees it (figures withheld)
and as the charter team sees it (in full), at a phone's width (which is what 400 % zoom of a 1280 px
window gives, WCAG 1.4.10) and in print, with axe-core run on each; screenshots are kept.

Usage: outcomes.py BASE_URL
Environment: CW_PASSWORD (the charter team's), CW_EMPLOYER_ID (an employer with a counted return),
CW_ARTEFACTS, a directory for the screenshots (none without it).
Exit status 0 when every step passed; 1 naming the first step that failed; 3 when Chromium,
chromedriver, selenium or axe-playwright-python is missing (the Swift test reports that as a failure).
"""
import os
import sys

from browser_kit import Walk

BASE = sys.argv[1].rstrip("/")
PASSWORD = os.environ["CW_PASSWORD"]
EMPLOYER = os.environ["CW_EMPLOYER_ID"]


def charts_described(walk):
    """Every chart is an SVG image with a title and a description, and has a data table after it."""
    charts = walk.els("svg[role='img']")
    walk.check(len(charts) == 3, f"{len(charts)} charts, not the trend and the two breakdowns")
    for chart in charts:
        walk.check(chart.find_elements("tag name", "title") != [], "a chart has no title")
        walk.check(chart.find_elements("tag name", "desc") != [], "a chart has no description")
    walk.check(len(walk.els("table caption")) >= 4, "the data tables are missing")


def at_400_percent(walk):
    """At 400 % zoom (a 320 px wide view) the public page reflows — the page itself never scrolls sideways,
    tables scroll inside their own region — and passes axe-core."""
    walk.step("at 400 % zoom (a 320 px wide view) the public page reflows and passes axe-core")
    walk.get("/outcomes")
    scroll = walk.driver.execute_script("return document.documentElement.scrollWidth")
    walk.check(scroll <= 320, f"the page is {scroll}px wide on a 320px screen")
    walk.accessible()
    walk.shoot("outcomes-public-400-percent")


def outcomes_walk(walk):
    walk.step("the public sees /outcomes without signing in, small figures withheld")
    walk.get("/outcomes")
    walk.check(walk.driver.current_url.split("?")[0].endswith("/outcomes"), "sent elsewhere (to sign in?)")
    walk.check(walk.h1().startswith("Charter outcomes"), "not the outcomes page")
    walk.check("are withheld" in walk.driver.page_source, "no word on what is withheld")
    walk.check("—" in walk.driver.page_source, "no withheld figure shown as —")
    charts_described(walk)
    walk.accessible()
    walk.shoot("outcomes-public", full_page=True)

    walk.step("the page reads in print")
    walk.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    walk.check(not walk.el("form.period-form").is_displayed(), "the period form is printed")
    walk.shoot("outcomes-public-print", full_page=True)
    walk.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    phone = Walk(BASE, width=320)
    phone.shots = walk.shots
    phone.run(at_400_percent, nested=True)
    walk.shots = phone.shots

    walk.step("the charter team signs in and sees every figure")
    walk.get("/sign-in?next=/outcomes")
    walk.fill("email", "team@charter.example")
    walk.fill("password", PASSWORD)
    walk.submit("form[action='/sign-in']")
    walk.check(walk.driver.current_url.split("?")[0].endswith("/outcomes"), "not back on /outcomes")
    walk.check("You are seeing every figure in full" in walk.driver.page_source, "not the full view")
    charts_described(walk)
    walk.accessible()
    walk.shoot("outcomes-charter-team", full_page=True)

    walk.step("an employer's page shows its figures beside the region's")
    walk.get(f"/employers/{EMPLOYER}")
    walk.check(walk.els("#outcomes") != [], "no outcomes on the employer page")
    walk.accessible()
    walk.shoot("employer-outcomes", full_page=True)


Walk(BASE).run(outcomes_walk)
