#!/usr/bin/env python3
"""Walks the operations side of the charter team's workspace in headless Chromium as the demo admin,
only through pages: an exemption granted and revoked; a charter version drafted with a changed
parameter, previewed and published; the nightly job as a dry run and for real; the flag queue narrowed
to a typed employer; a dead message found and requeued; the audit log filtered and the chain verified.
axe-core runs on every page; screenshots are kept (CW_ARTEFACTS).

Usage: workspace_operations.py BASE_URL
Environment: CW_EMAIL, CW_PASSWORD (the demo admin), CW_EMPLOYER (the company number or name of an employer to exempt),
CW_DEAD_ID (a dead message), CW_ARTEFACTS.
Exit status as browser_kit says: 0 passed, 1 a step failed (named), 3 something missing.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_kit import Walk  # noqa: E402

BASE = sys.argv[1]
EMAIL = os.environ["CW_EMAIL"]
PASSWORD = os.environ["CW_PASSWORD"]
EMPLOYER = os.environ["CW_EMPLOYER"]
DEAD = os.environ["CW_DEAD_ID"]


def click_and_wait(w, css):
    """Clicks the button at `css` (one of a form's several) and waits, up to two minutes, for the next page."""
    from selenium.webdriver.support.ui import WebDriverWait
    old = w.el("html")
    w.el(css).click()
    WebDriverWait(w.driver, 120).until(lambda _: w.gone(old))


def walk(w):
    w.step("sign in as the demo admin")
    w.sign_in(EMAIL, PASSWORD)
    w.get("/admin")
    w.accessible()

    w.step("exemptions: a grant with a mistake shows the error summary")
    w.follow("Exemptions")
    w.accessible()
    w.shoot("exemptions")
    w.fill("employer", EMPLOYER)
    w.choose("standard_id", "gov.return-missing")
    w.fill("reason", "Agreed at the charter panel")
    w.fill("period_from", "2026-Q9")
    w.submit("form[method='post'][action='/admin/exemptions']")
    w.error_summary("The first period must be a period like 2026-Q1.")
    w.accessible()
    w.shoot("exemption-error")

    w.step("exemptions: grant one")
    w.fill("period_from", "2026-Q1")
    w.driver.execute_script("document.getElementById('expires_on').value = '2099-03-31'")
    w.submit("form[method='post'][action='/admin/exemptions']")
    w.message("The exemption was granted")
    w.accessible()
    number = re.search(r"exemption #(\d+)", w.text()).group(1)

    w.step("exemptions: revoke it after confirming")
    w.submit(f"form[action='/admin/exemptions/{number}/revoke']")
    w.check("Revoke exemption" in w.h1(), "no confirmation page")
    w.accessible()
    w.shoot("exemption-confirm")
    w.submit(f"form[action='/admin/exemptions/{number}/revoke']")
    w.message("The exemption was revoked.")
    w.accessible()
    w.get("/admin/exemptions?status=revoked")
    w.check(w.els(f"#exemption-{number}") != [], "the revoked exemption is not listed as revoked")
    w.accessible()

    w.step("charter: make a draft")
    w.follow("Charter")
    w.accessible()
    w.shoot("charter")
    source = w.el("#source option:nth-child(2)").get_attribute("value")
    w.choose("source", source)
    w.fill("label", "Walk charter 2027")
    w.driver.execute_script("document.getElementById('effective_from').value = '2027-04-01'")
    w.submit("form[action='/admin/charter/drafts']")
    w.message("was created")
    w.accessible()
    version = re.search(r"/admin/charter/(\d+)", w.driver.current_url).group(1)

    w.step("charter: change a parameter of the draft")
    w.fill("hours-zero-hours-share--threshold_percent", "2")
    w.submit("#hours-zero-hours-share--form")
    w.message(f"Draft version {version} was saved.")
    w.accessible()
    w.shoot("draft")

    w.step("charter: preview the draft")
    w.follow("Preview this draft over past returns")
    w.check("Nothing was changed" in w.text(), "the preview does not say it changed nothing")
    w.accessible()
    w.shoot("preview")
    w.follow("Back to Walk charter 2027")

    w.step("charter: publish the draft after confirming")
    w.submit(f"form[action='/admin/charter/{version}/publish']")
    w.check("Publish" in w.h1(), "no confirmation page")
    w.accessible()
    w.submit(f"form[action='/admin/charter/{version}/publish']")
    w.message(f"Version {version} was published")
    w.check(w.absent("form[action*='/standards/']"), "a published version still offers its forms")
    w.accessible()

    w.step("runs: a dry run lists what it would change")
    w.follow("Runs")
    w.accessible()
    click_and_wait(w, "button[name='dry_run'][value='yes']")
    w.check("Dry run" in w.h1(), "the dry run page did not come")
    w.check("Nothing was changed" in w.text(), "the dry run does not say it changed nothing")
    w.accessible()
    w.shoot("dry-run")

    w.step("runs: run the nightly job for real")
    w.follow("Back to the runs")
    click_and_wait(w, "button[name='dry_run'][value='no']")
    w.message("The nightly compliance run finished")
    w.accessible()
    w.shoot("run")

    w.step("flags: the team types an employer to narrow the queue, and a name that fits none says so")
    w.get("/flags")
    w.accessible()
    w.fill("f-employer", EMPLOYER)
    w.submit("form[action='/flags']")
    w.check(w.el("#f-employer").get_attribute("value") == EMPLOYER, "the typed employer is not kept in the field")
    w.check(w.absent(".error-summary"), "the employer typed was not found")
    w.accessible()
    w.shoot("flags-by-employer")
    w.fill("f-employer", "No Such Employer Ltd")
    w.submit("form[action='/flags']")
    w.error_summary("No employer has the company number or name")
    w.check("No flags match." in w.text(), "flags are listed for an employer that was not found")
    w.accessible()
    w.get("/admin")

    w.step("outbox: find the dead message")
    w.follow("Outbox")
    w.accessible()
    w.choose("filter-state", "dead")
    w.submit("form.filters")
    w.check(w.els(f"#message-{DEAD}") != [], "the dead message is not listed")
    w.accessible()
    w.follow(f"Message {DEAD}")
    w.check("Server's last reply" in w.text(), "the server's reply is not shown")
    w.check(w.absent("iframe"), "a message part is rendered")
    w.accessible()
    w.shoot("dead-message")

    w.step("outbox: requeue it")
    w.submit(f"form[action='/admin/outbox/{DEAD}/requeue']")
    w.message(f"Message #{DEAD} was queued to be sent again.")
    w.accessible()

    w.step("audit: filter the log")
    w.follow("Audit log")
    w.accessible()
    w.fill("entity", "outbox_message")
    w.fill("entity_id", DEAD)
    w.submit("form.filters")
    w.check("outbox.requeue" in w.text(), "the requeue is not in the filtered log")
    w.check("exemption.grant" not in w.text(), "the filter let other objects through")
    w.accessible()
    w.shoot("audit")

    w.step("audit: verify the chain")
    w.submit("form[action='/admin/audit/verify']")
    w.check("The chain is intact" in w.text(), "the chain is not reported intact")
    w.check(re.search(r"Head hash: [0-9a-f]{64}", w.text()) is not None, "no head hash")
    w.accessible()
    w.shoot("verified")


Walk(BASE).run(walk)
