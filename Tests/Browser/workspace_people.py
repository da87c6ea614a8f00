#!/usr/bin/env python3
"""Walks the people side of the charter team's workspace in headless Chromium as the demo's admin, only
through pages: registers an employer (refused once, then accepted), imports a GPG CSV by upload (preview,
then confirm), adds a contact and a pledge with an override (a loosening refused first), adds a rep
covering the new employer, invites a user, creates a token and revokes it after the confirmation step.
axe-core runs on every page visited; screenshots are kept.

Usage: workspace_people.py BASE_URL WORKDIR
Environment: CW_EMAIL and CW_PASSWORD (the demo admin's sign-in); CW_ARTEFACTS for screenshots.
Writes WORKDIR/walk.json with what it made (employer id, token prefix, emails) for the Swift test to check
through charterctl. Exit status as browser_kit says (0 passed, 1 a step failed, 3 a tool is missing).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_kit import Walk  # noqa: E402

BASE, WORKDIR = sys.argv[1], sys.argv[2]
EMAIL, PASSWORD = os.environ["CW_EMAIL"], os.environ["CW_PASSWORD"]

GPG_FILE = os.path.join(WORKDIR, "gpg-upload.csv")
GPG_ROWS = [
    "EmployerName,EmployerId,CompanyNumber,Address,PostCode",
    '"KNOWSLEY SAFER TRAVEL LTD",91001,SC700001,"1 Station Road, Huyton",L36 9YU',
    '"ST HELENS CARE COLLECTIVE",91002,SC700002,"2 Church Street, St Helens",WA10 1AB',
    '"BROKEN ROW LTD",not-a-number,SC700003,"3 Nowhere Lane",L1 1AA',
]


def people_walk(walk):
    made = {}
    walk.step("the demo admin signs in")
    walk.sign_in(EMAIL, PASSWORD)

    walk.step("the employers list, filtered and searched through the URL")
    walk.get("/admin/employers")
    walk.check("Employers" in walk.h1(), "the employers page is not shown")
    walk.accessible()
    walk.shoot("employers")
    walk.fill("q", "mersey")
    walk.submit("form[role='search']")
    walk.check("q=mersey" in walk.driver.current_url, "the search is not in the URL")
    walk.accessible()

    walk.step("registering an employer with a bad company number is refused with the error summary")
    walk.get("/admin/employers")
    walk.fill("name", "Halton Community Buses CIC")
    walk.fill("company_number", "12")
    walk.choose("sector", "voluntary")
    walk.submit("form[method='post'][action='/admin/employers']")
    walk.error_summary("is not a Companies House number")
    walk.check(walk.el("#name").get_attribute("value") == "Halton Community Buses CIC", "the typed name was lost")
    walk.accessible()
    walk.shoot("register-refused")

    walk.step("the employer is registered")
    walk.fill("company_number", "SC654321")
    walk.tick("london")
    walk.submit("form[method='post'][action='/admin/employers']")
    walk.message("The employer was registered")
    match = re.search(r"/admin/employers/(\d+)", walk.driver.current_url)
    walk.check(match is not None, "not on the new employer's page")
    employer = match.group(1)
    made["employer_id"] = int(employer)
    walk.accessible()
    walk.shoot("registered")

    walk.step("a GPG CSV uploaded is previewed: added, updated, unchanged and rows in error with lines")
    with open(GPG_FILE, "w", encoding="utf-8") as file:
        file.write("\r\n".join(GPG_ROWS) + "\r\n")
    walk.get("/admin/employers")
    walk.el("#file").send_keys(GPG_FILE)
    walk.submit("form[action='/admin/gpg-import']")
    text = walk.text()
    walk.check("2 employers added" in text, f"the preview does not say 2 added: {text[:400]}")
    walk.check("1 rows in error" in text, "the preview does not count the row in error")
    walk.check(any(cell.text == "4" for cell in walk.els("td")), "the row in error's line 4 is not listed")
    walk.accessible()
    walk.shoot("gpg-preview")

    walk.step("the import is confirmed")
    walk.submit("form[action='/admin/gpg-import/confirm']")
    walk.message("2 employers added, 0 updated, 0 unchanged")
    walk.accessible()

    walk.step("a contact is added to the new employer")
    walk.get(f"/admin/employers/{employer}")
    walk.accessible()
    walk.fill("contact_name", "Pat Payroll")
    walk.fill("contact_email", "pat.payroll@haltonbuses.example")
    walk.fill("contact_role", "Payroll manager")
    walk.submit(f"form[action='/admin/employers/{employer}/contacts']")
    walk.message("The contact was added")
    walk.check("pat.payroll@haltonbuses.example" in walk.text(), "the contact is not listed")
    walk.accessible()

    walk.step("a pledge whose override would loosen a standard is refused, naming the standard")
    pledge_form = f"form[action='/admin/employers/{employer}/pledges']"
    walk.choose("tier", "accredited")
    walk.el(pledge_form + " details summary").click()
    walk.fill("override-hours.zero-hours-share-threshold_percent", "90")
    walk.submit(pledge_form)
    walk.error_summary("hours.zero-hours-share threshold_percent 90 would loosen the standard")
    walk.accessible()
    walk.shoot("pledge-refused")

    walk.step("the pledge with a tightening override is added")
    walk.fill("override-hours.zero-hours-share-threshold_percent", "2")
    walk.submit(pledge_form)
    walk.message("The pledge was added")
    walk.check("threshold_percent" in walk.text(), "the pledge's override is not shown")
    walk.accessible()
    walk.shoot("pledge-added")

    walk.step("a rep covering the new employer is added")
    walk.get("/admin/reps")
    walk.accessible()
    walk.fill("name", "Morgan Steward")
    walk.fill("email", "morgan.steward@union.example")
    walk.fill("union_name", "UNISON")
    walk.fill("covers", "SC654321")
    walk.submit("form[action='/admin/reps']")
    walk.message("The rep was added")
    walk.accessible()
    walk.shoot("rep-added")
    made["rep_email"] = "morgan.steward@union.example"

    walk.step("on the rep's page an employer is added by name: a name that matches none is refused by its line")
    walk.follow("Morgan Steward")
    walk.accessible()
    walk.fill("add_employers", "Nowhere At All Ltd")
    walk.submit("form[action$='/coverage']")
    walk.error_summary("Line 1: No employer has the company number or name")
    walk.check(walk.el("#add_employers").get_attribute("value") == "Nowhere At All Ltd", "the typed line was lost")
    walk.check(walk.el("#cover-" + employer).is_selected(), "the covered employer is no longer ticked")
    walk.accessible()
    walk.shoot("coverage-refused")
    walk.fill("add_employers", "Liverpool Waterfront Hotels")
    walk.submit("form[action$='/coverage']")
    walk.message("coverage were saved")
    walk.check("LIVERPOOL WATERFRONT HOTELS LIMITED" in walk.text(), "the added employer is not listed")
    walk.accessible()
    walk.shoot("coverage-changed")

    walk.step("a user is invited")
    walk.get("/admin/users")
    walk.accessible()
    walk.fill("name", "Vic Viewer")
    walk.fill("email", "vic.viewer@charter.example")
    walk.choose("role", "viewer")
    walk.submit("form[action='/admin/users']")
    walk.message("The user was invited")
    walk.check("vic.viewer@charter.example" in walk.text(), "the invited user is not listed")
    walk.accessible()
    walk.shoot("user-invited")
    made["user_email"] = "vic.viewer@charter.example"

    walk.step("a token is created and shown once")
    walk.get("/admin/tokens")
    walk.accessible()
    walk.fill("label", "Halton payroll export")
    walk.choose("role", "employer")
    walk.fill("employer", "SC654321")
    walk.submit("form[action='/admin/tokens']")
    token = walk.el("#new-token").text.strip()
    walk.check(token.startswith("cw_"), f"no token shown: {token!r}")
    prefix = token.split("_")[1]
    made["token_prefix"] = prefix
    walk.accessible()
    walk.shoot("token-created")
    walk.get("/admin/tokens")
    walk.check(token not in walk.driver.page_source, "the token is shown a second time")

    walk.step("the token is revoked after the confirmation step")
    forms = [form for form in walk.els("form[action$='/revoke']") if prefix in form.text]
    walk.check(len(forms) == 1, "no revoke button for the new token")
    action = forms[0].get_attribute("action").replace(walk.base, "")
    walk.submit(f"form[action='{action}']")
    walk.check("Revoke token" in walk.h1(), "no confirmation step")
    walk.accessible()
    walk.shoot("token-revoke-confirm")
    walk.submit(f"form[action='{action}']")
    walk.message("The token was revoked")
    walk.accessible()
    walk.shoot("token-revoked")

    with open(os.path.join(WORKDIR, "walk.json"), "w", encoding="utf-8") as file:
        json.dump(made, file)


Walk(BASE).run(people_walk)
