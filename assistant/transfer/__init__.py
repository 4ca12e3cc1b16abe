"""CSV import and export of deals, leads and history (`python bot.py import|export ...`).

Imports understand the column names of HubSpot, Salesforce and Pipedrive exports and of our
own export; they validate every row before writing anything, then write in one transaction,
rebuilding each record's history from the dates in the file. Exports stream rows and carry
each record's stage history, so an export imported into an empty database gives the same
figures.

Public API: `cli.main(argv, database_url)` for bot.py; `importer.import_csv` and
`exporter.export_csv` for code.
"""
