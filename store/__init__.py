"""Tables, queries and the session: the only room that talks to the database."""
