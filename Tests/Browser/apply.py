#!/usr/bin/env python3
"""Walks an application to join the charter in headless Chromium, only through pages and email (SPEC §10):
an applicant with no account starts one, confirms the address through the link in the `.eml` charterd
wrote, fills in the organisation and the self-assessment, adds two evidence files (a renamed program is
refused first) and sends it; the charter team reviews, asks for more; the applicant answers through the
link in the next email and sends it again; the charter team decides `accredited` after the confirmation
step; the applicant sets a password from the invitation, signs in and sees the pledge. axe-core runs on
every page; screenshots are kept. Emails are read with Python's own `email` parser.

Usage: apply.py BASE_URL MAIL_DIR WORKDIR
Environment: CW_EMAIL and CW_PASSWORD (the demo admin's sign-in); CW_ARTEFACTS for screenshots.
Writes WORKDIR/walk.json (application id, employer id, company number, applicant email) for the Swift
test to check through charterctl and the API.
"""
import email
import email.policy
import glob
import json
import os
import re
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_kit import Walk  # noqa: E402

BASE, MAIL_DIR, WORKDIR = sys.argv[1], sys.argv[2], sys.argv[3]
EMAIL, PASSWORD = os.environ["CW_EMAIL"], os.environ["CW_PASSWORD"]
APPLICANT = os.environ.get("CW_APPLICANT", "robin.hr@mersey-ferries-coop.example")
COMPANY = os.environ.get("CW_COMPANY", "IP099876")
NEW_PASSWORD = "ferries across the mersey 2027"


def messages_to(address):
    """Every message in MAIL_DIR addressed to `address`, oldest first, parsed by the standard library."""
    found = []
    for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml")), key=os.path.getmtime):
        with open(path, "rb") as file:
            message = email.message_from_binary_file(file, policy=email.policy.default)
        if address in str(message.get("To", "")):
            found.append(message)
    return found


def wait_for_message(walk, address, subject_part, seen):
    """The first message to `address` whose subject has `subject_part` and that is not in `seen`, waiting
    for the outbox to deliver it (delivery is an event on the server; this polls the directory)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in messages_to(address):
            key = message.get("Message-ID")
            if subject_part in str(message.get("Subject", "")) and key not in seen:
                seen.add(key)
                return message
        time.sleep(0.2)
    walk.check(False, f"no email to {address} about {subject_part!r} arrived")


def link_in(walk, message, path):
    """The path and query of the link to `path` in the message's plain-text part."""
    body = message.get_body(preferencelist=("plain",))
    walk.check(body is not None, "the email has no plain-text part")
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", body.get_content())
    walk.check(match is not None, f"the email has no link to {path}")
    parts = urlsplit(match.group(0))
    return parts.path + ("?" + parts.query if parts.query else "")


def write(name, content):
    path = os.path.join(WORKDIR, name)
    with open(path, "wb") as file:
        file.write(content)
    return path


def upload(walk, path, standard=""):
    if standard:
        walk.choose("standard", standard)
    walk.el("#file").send_keys(path)
    walk.submit("form[action='/apply/application/evidence']")


def apply_walk(walk):
    made = {"applicant": APPLICANT, "company_number": COMPANY}
    seen = {message.get("Message-ID") for message in messages_to(APPLICANT)}

    walk.step("the apply page, without an account; a start with nothing typed is refused")
    walk.get("/apply")
    walk.check("Apply to join" in walk.h1(), "the apply page is not shown")
    walk.accessible()
    walk.shoot("apply")
    walk.submit("form[action='/apply']")
    walk.error_summary("Enter your name")
    walk.accessible()

    walk.step("the applicant starts an application and is told to check their email")
    walk.fill("applicant_name", "Robin Hughes")
    walk.fill("email", APPLICANT)
    walk.fill("organisation_name", "Mersey Ferries Co-operative")
    walk.submit("form[action='/apply']")
    walk.message("Check your email")
    walk.accessible()

    walk.step("the link in the confirmation email opens the application")
    confirm = wait_for_message(walk, APPLICANT, "confirm your email", seen)
    walk.get(link_in(walk, confirm, "/apply/confirm"))
    walk.accessible()
    walk.shoot("confirm")
    walk.submit("form[action='/apply/confirm']")
    walk.message("Your email address is confirmed")
    walk.check("Mersey Ferries Co-operative" in walk.h1(), "the application page does not name the organisation")
    walk.accessible()
    walk.shoot("application-empty", full_page=True)

    walk.step("sending it empty lists what is missing, each beside its field")
    walk.press("button[value='submit']")
    walk.error_summary("Choose the tier applied for")
    walk.error_summary("say whether the standard is met")
    walk.accessible()

    walk.step("the organisation and the self-assessment are filled in and saved")
    walk.tick("sector-private")
    walk.fill("company_number", COMPANY.lower())
    walk.choose("size_band", "250 to 499")
    walk.tick("london-no")
    walk.fill("contact_name", "Robin Hughes")
    walk.fill("contact_email", APPLICANT)
    walk.fill("contact_role", "Head of People")
    walk.tick("tier-accredited")
    walk.tick("living_hours")
    standards = [fieldset.get_attribute("id")[len("assessment-"):]
                 for fieldset in walk.els("fieldset[id^='assessment-']")]
    walk.check(len(standards) >= 5, f"only {len(standards)} standards to assess")
    made["standards"] = standards
    for standard in standards[1:]:
        walk.tick(f"assessment-{standard}-met")
    first = standards[0]
    made["working_towards"] = first
    walk.tick(f"assessment-{first}-working-towards")
    walk.fill(f"plan-{first}", "Move the last two pay grades to the Real Living Wage in the April pay round.")
    walk.fill(f"target-{first}", "2099-04-01")
    walk.fill(f"note-{first}", "Board approval minuted in November.")
    walk.press("button[value='save']")
    walk.message("Your application was saved")
    walk.check(walk.el(f"[id='plan-{first}']").get_attribute("value").startswith("Move the last"), "the plan was lost")
    walk.accessible()

    walk.step("the applicant is told who reads evidence, before choosing a file")
    walk.check("union reps who cover your organisation" in walk.text(), "who can read evidence is not said")
    walk.check("leave out payslips" in walk.text(), "the page does not warn against individual pay records")

    walk.step("a program renamed to .pdf is refused and nothing is stored")
    program = write("policy.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    upload(walk, program)
    walk.error_summary("is not a PDF, PNG, JPEG")
    walk.check("Evidence files (0 of" in walk.text(), "a refused file was counted")
    walk.accessible()

    walk.step("two evidence files are added: a PDF for the first standard and a CSV for the application")
    pdf = write("pay-policy.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    upload(walk, pdf, standard=first)
    walk.message("The evidence file was added")
    csv = write("pay-rates.csv", b"grade,hourly_rate\nA,12.60\nB,13.10\n")
    upload(walk, csv)
    walk.message("The evidence file was added")
    walk.check("Evidence files (2 of" in walk.text(), "the two files are not listed")
    walk.accessible()
    walk.shoot("evidence", full_page=True)

    walk.step("the application is sent to the charter team")
    walk.press("button[value='submit']")
    walk.message("Your application was sent to the charter team")
    walk.check("with the charter team" in walk.text(), "the status does not say it is with the charter team")
    walk.accessible()
    match = re.search(r"Application (\d+)", walk.h1())
    walk.check(match is not None, "the page does not number the application")
    application = match.group(1)
    made["application_id"] = int(application)
    wait_for_message(walk, APPLICANT, "has reached the charter team", seen)

    walk.step("the charter team finds it, reads the evidence list, reviews and asks for more")
    walk.sign_in(EMAIL, PASSWORD)
    walk.get("/admin/applications?status=submitted")
    walk.accessible()
    walk.follow(f"#{application} Mersey Ferries Co-operative")
    walk.check("pay-policy.pdf" in walk.text() and "pay-rates.csv" in walk.text(), "the evidence is not listed")
    walk.accessible()
    walk.shoot("assessment", full_page=True)
    walk.tick(f"verdict-{first}-needs-more")
    walk.fill(f"review-{first}", "Which grades, and how many workers?")
    walk.tick(f"verdict-{standards[1]}-accepted")
    walk.submit(f"form[action='/admin/applications/{application}/reviews']")
    walk.message(f"Your review of application #{application} was saved")
    walk.fill("questions", "Please say how many workers are on grades A and B today.")
    walk.submit(f"form[action='/admin/applications/{application}/ask']")
    walk.message("went back to the applicant")
    walk.accessible()
    walk.sign_out()

    walk.step("the applicant answers through the link in the email and sends it again")
    more = wait_for_message(walk, APPLICANT, "asks for more", seen)
    walk.check("how many workers are on grades A and B" in more.get_body(preferencelist=("plain",)).get_content(),
               "the email does not carry the questions")
    walk.get(link_in(walk, more, "/apply/confirm"))
    walk.submit("form[action='/apply/confirm']")
    walk.check("how many workers are on grades A and B" in walk.text(), "the questions are not on the page")
    walk.accessible()
    walk.fill("request_answer", "Grade A: 14 workers; grade B: 9 workers.")
    walk.press("button[value='submit']")
    walk.message("Your application was sent to the charter team")
    walk.accessible()

    walk.step("the charter team decides accredited, after the confirmation step")
    walk.sign_in(EMAIL, PASSWORD)
    walk.get(f"/admin/applications/{application}")
    walk.check("Grade A: 14 workers" in walk.text(), "the answer is not shown to the charter team")
    walk.tick("decision-accredited")
    walk.fill("reasons", "Evidence of pay and hours is complete; the plan for grades A and B is credible.")
    walk.submit(f"form[action='/admin/applications/{application}/decide']")
    walk.check("Decide application" in walk.h1(), "no confirmation step before the decision")
    walk.accessible()
    walk.shoot("decide-confirm")
    walk.submit(f"form[action='/admin/applications/{application}/decide']")
    walk.message(f"Application #{application} was decided")
    match = re.search(r"employer #(\d+)", walk.text())
    walk.check(match is not None, "the notice does not name the employer")
    made["employer_id"] = int(match.group(1))
    walk.accessible()
    walk.sign_out()

    walk.step("the applicant is emailed the decision and an invitation, sets a password and sees the pledge")
    decided = wait_for_message(walk, APPLICANT, "the decision on", seen)
    walk.check("accredited" in decided.get_body(preferencelist=("plain",)).get_content(),
               "the decision email does not say accredited")
    invitation = wait_for_message(walk, APPLICANT, "you are invited", seen)
    walk.get(link_in(walk, invitation, "/set-password"))
    walk.accessible()
    walk.fill("password", NEW_PASSWORD)
    walk.fill("confirm_password", NEW_PASSWORD)
    walk.submit("form[action='/set-password']")
    walk.sign_in(APPLICANT, NEW_PASSWORD)
    walk.check(f"/employers/{made['employer_id']}" in walk.driver.current_url, "not on the employer's own page")
    walk.check("accredited" in walk.text(), "the employer page does not show the accredited pledge")
    walk.accessible()
    walk.shoot("pledge")

    with open(os.path.join(WORKDIR, "walk.json"), "w", encoding="utf-8") as file:
        json.dump(made, file)


Walk(BASE).run(apply_walk)
