"""What each page shows: one plain object per page, gathered from what the services decided.

Pages hold no rules of their own: who may do what is the access policy's, the domain rules are the services'.
Web views call a page function and render its object; services never import pages (import-linter checks it).
"""
