from inden.cli import app

app(prog_name="inden")
