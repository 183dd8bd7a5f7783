"""The CSS of the report pages' tables and figures (profiles and the national report), so a page
shows them in one style without importing another page's code."""

STYLE = """<style>
.profile-table caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0; }
.profile-table th, .profile-table td { text-align: right; vertical-align: top; }
.profile-table th:first-child, .profile-table td:first-child { text-align: left; }
.profile-table.profile-text th, .profile-table.profile-text td { text-align: left; }
.profile-figure { margin: 1em 0 2em 0; }
.profile-figure img { max-width: 100%; height: auto; }
.profile-figure figcaption, .profile-block p { max-width: 60em; }
</style>"""
