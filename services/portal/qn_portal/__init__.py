"""Quartiersnetz portal: the web app in front of the services' APIs. It signs people in (OpenID
Connect, or the local development sign-in), calls the services with the person's token and keeps
nothing but the session."""
