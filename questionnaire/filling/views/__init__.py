"""Country-side pages, one module per part of the flow.

- overview: the landing page (sections, their states, the progress);
- section: a section's page, its saves and the autosave;
- carried: a new edition started from the previous one's answers, and their confirmation;
- submit: review, publication consent, submit, the submission's read-only pages;
- current: how every page finds the official's submission (never creating it on a GET).
"""
