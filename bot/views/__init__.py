"""Block Kit: text from Jinja2 templates, structure from small builders; rendered here, sent elsewhere."""
