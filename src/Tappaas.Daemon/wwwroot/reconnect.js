// What the page does when its circuit is lost. Blazor's script shows #components-reconnect-modal with a class per
// state and retries on its own; a daemon that restarted answers that it no longer knows the circuit ("rejected"), and
// then the page is loaded again (the session cookie survives a restart). "Try again" retries after the retries ran out.
(() => {
    const modal = document.getElementById('components-reconnect-modal');
    if (!modal) {
        return;
    }

    modal.addEventListener('components-reconnect-state-changed', event => {
        if (event.detail.state === 'rejected') {
            location.reload();
        }
    });
    document.getElementById('reconnect-retry')?.addEventListener('click', async () => {
        try {
            if (!await Blazor.reconnect()) {
                location.reload();
            }
        } catch {
            location.reload();
        }
    });
})();
