"""Database access: opening the database (``database``) and the Peewee models."""
