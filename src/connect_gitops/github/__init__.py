"""The GitHub Actions edge: the runner's environment, step outputs, annotations, masks and the
step summary (:mod:`.actions`), and the sticky plan comment on a pull request
(:mod:`.comment`). Rendering the text is :mod:`connect_gitops.reporting`'s job; this package
decides where it goes. Outside GitHub Actions it does nothing.
"""
