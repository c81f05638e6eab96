/**
 * Catches a page that fails to render. The usual cause in the field is a new deployment: the browser
 * still runs the old index.html and asks for chunks the new build no longer has — reloading fixes it.
 */
import { Button, Result } from 'antd';
import { Component, type ReactNode } from 'react';

interface Props {
  title: string;
  reload: string;
  children: ReactNode;
  /** Changing it (the route) clears the error. */
  resetKey: string;
}

export class Boundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(prev: Props) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Result
        status="warning"
        title={this.props.title}
        subTitle={this.state.error.message}
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            {this.props.reload}
          </Button>
        }
      />
    );
  }
}
