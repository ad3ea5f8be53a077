"""Number and date formats per interface language (``settings.FORMAT_MODULE_PATH``).

Django looks here before its own ``django/conf/locale/<lang>/formats.py`` and takes each
setting from the first module that has it. These modules hold only what differs from Django
or what Shailoo relies on: Kyrgyz and Russian group digits with a no-break space and write a
decimal comma (CLDR's ``ky`` and ``ru`` number symbols; Django's own Kyrgyz module has a
decimal point), English groups with a comma and writes a decimal point; Kyrgyz and Russian
dates read dd.mm.yyyy, as on every commission document, and times are 24-hour everywhere
(polls open at 08:00 and close at 20:00 in every language).

What must stay raw whatever the language (CSV and JSON, URLs, form values, SVG coordinates,
station numbers) is listed in ``docs/translations.md``.
"""
