"""Tables, migrations and the services that read and write them."""
